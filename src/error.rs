//! The toolkit's error type and code catalog, where the server's modules look for them.

pub use toolkit::error::*;
