//! Native decisions per second under mimalloc, the allocator a native service making
//! decisions would choose: a decision is mostly small allocations. `decisions_system_allocator`
//! measures the same under the system allocator; scripts/bench.sh runs both.
//!
//!   cargo bench --bench decisions

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[path = "shared/decisions.rs"]
mod measure;

fn main() {
    measure::main("mimalloc");
}
