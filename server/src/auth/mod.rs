pub mod jwks;
pub mod jwt;
pub mod principal;
