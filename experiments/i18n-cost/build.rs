//! For `crate`: leptos_i18n's code for the words in `locales/` (written by scripts/i18n-cost).
fn main() {
    #[cfg(feature = "crate")]
    {
        use leptos_i18n_build::{Config, TranslationsInfos};
        println!("cargo::rerun-if-changed=locales");
        let out = std::path::PathBuf::from(std::env::var_os("OUT_DIR").unwrap()).join("i18n");
        let config = Config::new("en")
            .and_then(|c| c.add_locale("nb"))
            .expect("locales");
        let infos = TranslationsInfos::parse(config).expect("translations");
        infos.emit_diagnostics();
        infos.generate_i18n_module(out).expect("i18n module");
    }
}
