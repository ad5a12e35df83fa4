//! `rekindle replay`: placeholder replaced below.
use crate::args::Failure;
pub fn main(_argv: Vec<String>) -> Result<(), Failure> {
    Err(Failure::usage("replay: not built yet"))
}
