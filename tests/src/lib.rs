//! Black-box tests of the whole system: API, adversarial, browser, interop.
//!
//! Not built yet: tests that drive the real binaries over HTTP, a real browser and a real OpenID provider will live here. The linter's own tests live in `scope-lint/tests`.
