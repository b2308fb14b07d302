//! `embed_migrations!` reads the migration directories at compile time, but cargo only watches
//! the files it read: a new migration directory would not rebuild this crate, and the binary
//! would run without it. Watching the directories themselves closes that gap.

fn main() {
    println!("cargo:rerun-if-changed=sqlite");
    println!("cargo:rerun-if-changed=postgres");
}
