//! For `crate`: leptos_i18n's code for the words in `locales/` (written by scripts/i18n-cost).
fn main() {
    #[cfg(feature = "crate")]
    {
        use leptos_i18n_build::{Config, ParseOptions, TranslationsInfos};
        println!("cargo::rerun-if-changed=locales");
        let out = std::path::PathBuf::from(std::env::var_os("OUT_DIR").unwrap()).join("i18n");
        // Words with parts are written as strings (`t_string!`), as the app writes them.
        let options = ParseOptions::default().interpolate_display(true);
        let config = Config::new("en")
            .and_then(|c| c.add_locale("nb"))
            .expect("locales")
            .parse_options(options);
        let infos = TranslationsInfos::parse(config).expect("translations");
        infos.emit_diagnostics();
        infos.generate_i18n_module(out).expect("i18n module");
    }
}
