//! `promotions --help` documents the configuration, and bad values stop it naming the variable.

use std::process::{Command, Output};

fn promotions(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_promotions"));
    command.args(args).env("LEPTOS_SITE_ADDR", "127.0.0.1:0");
    for name in [
        "SEARCHES_PER_MINUTE",
        "BRING_API_UID",
        "BRING_API_KEY",
        "GUIDE_FAILURE_RATE",
    ] {
        command.env_remove(name);
    }
    command.envs(env.iter().copied()).output().unwrap()
}

#[test]
fn help_lists_every_variable_with_its_default_and_the_readme_names_each() {
    let out = promotions(&["--help"], &[]);
    assert_eq!(out.status.code(), Some(0));
    let help = String::from_utf8(out.stdout).unwrap();
    for (name, default) in [
        ("LEPTOS_SITE_ADDR", Some("127.0.0.1:3000")),
        ("PUBLIC_ORIGIN", None),
        ("GUIDE_LATENCY_SCALE", Some("1")),
        ("GUIDE_FAILURE_RATE", Some("0")),
        ("GUIDE_TIMEOUT_SECS", Some("10")),
        ("SENTRY_DSN", None),
        ("SEARCHES_PER_MINUTE", Some("120")),
        ("SEARCHES_PER_MINUTE_PER_ADDRESS", Some("6000")),
        ("MAX_SOCKETS_PER_SESSION", Some("8")),
        ("MAX_SOCKETS_PER_IP", Some("1000")),
        ("BRING_MAX_RPS", Some("50")),
    ] {
        let line = help
            .lines()
            .skip_while(|l| !l.contains(&format!("<{name}>")))
            .nth(1)
            .unwrap_or_else(|| panic!("{name} not in --help:\n{help}"));
        assert!(line.contains(&format!("[env: {name}")), "{line}");
        if let Some(default) = default {
            assert!(line.contains(&format!("[default: {default}]")), "{line}");
        }
    }
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let documented: Vec<&str> = help
        .split("[env: ")
        .skip(1)
        .map(|rest| rest.split(['=', ']']).next().unwrap())
        .collect();
    assert!(documented.len() >= 20, "{documented:?}");
    for name in &documented {
        assert!(readme.contains(name), "README does not mention {name}");
    }
    // Where the README gives a default, it is the one --help gives.
    let mut compared = 0;
    for name in documented {
        let Some(said) = readme_default(&readme, name) else {
            continue;
        };
        let line = help
            .lines()
            .find(|l| l.contains(&format!("[env: {name}")))
            .unwrap();
        // clap's "[default: …]", or the help's own words for a default that depends.
        let given = line
            .split("[default: ")
            .nth(1)
            .and_then(|d| d.split(']').next())
            .or_else(|| line.split("Default: ").nth(1)?.split(',').next())
            .unwrap_or_else(|| panic!("the README gives {name} a default, --help none: {line}"));
        let same = match (said.parse::<f64>(), given.parse::<f64>()) {
            (Ok(a), Ok(b)) => a == b,
            _ => said == given,
        };
        assert!(same, "README: {name} defaults to {said}; --help: {given}");
        compared += 1;
    }
    assert!(compared >= 10, "only {compared} defaults compared");
}

/// The default the README gives a variable: "`NAME` (…; default 120)", in the parentheses
/// after its name.
fn readme_default<'a>(readme: &'a str, name: &str) -> Option<&'a str> {
    let after = readme.split(&format!("`{name}` (")).nth(1)?;
    let inside = &after[..after.find(')')?];
    let value = inside.split("default ").nth(1)?;
    if let Some(quoted) = value.strip_prefix('`') {
        return quoted.split('`').next();
    }
    let end = value.find([';', ',', ' ', ':']).unwrap_or(value.len());
    Some(&value[..end])
}

#[test]
fn a_bad_value_stops_the_server_naming_the_variable() {
    for (name, value, why) in [
        ("SEARCHES_PER_MINUTE", "many", "expected a whole number"),
        ("GUIDE_FAILURE_RATE", "2", "expected a number in 0..=1"),
        (
            "SESSION_SECRET",
            "too-short",
            "expected at least 32 characters",
        ),
    ] {
        let out = promotions(&[], &[(name, value)]);
        assert_eq!(out.status.code(), Some(2), "{name}={value}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(name) && stderr.contains(why), "{stderr}");
    }
}

#[test]
fn a_blank_variable_counts_as_unset() {
    // Blank, SEARCHES_PER_MINUTE passes; the lone Bring login is then what stops it.
    let out = promotions(&[], &[("SEARCHES_PER_MINUTE", " "), ("BRING_API_UID", "x")]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("BRING_API_KEY is missing"), "{stderr}");
}
