pub mod jwks;
pub mod jwt;
pub mod oidc;
pub mod principal;
pub mod session;
