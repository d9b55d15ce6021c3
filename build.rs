// Migrations are embedded at compile time; edits to them must trigger a rebuild.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
