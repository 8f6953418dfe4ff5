//! Whole systems to test against: in-process ([`system`]) and as real processes
//! ([`faults`]), each with its own database and Redis key prefix.

pub mod faults;
pub mod system;
