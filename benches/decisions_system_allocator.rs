//! As `decisions`, under the system allocator (glibc's malloc here), so the allocator's share
//! is a ratio measured in one run.
//!
//!   cargo bench --bench decisions_system_allocator

#[path = "shared/decisions.rs"]
mod measure;

fn main() {
    measure::main("system");
}
