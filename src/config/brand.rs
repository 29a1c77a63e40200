//! The company around the form: name, logo, colour, privacy notice, contact. Read on every
//! page, even where other settings are broken, so a bad value is only left out and named.

use super::{Reader, Vars};
use crate::domain::Email;
use crate::http_url::HttpUrl;
use base64::{engine::general_purpose::STANDARD, Engine};
use sha2::{Digest, Sha256};

/// WCAG 2.2 (1.4.3): normal text needs 4.5:1 against its background.
const MIN_CONTRAST_TENTHS: u32 = 45;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Brand {
    pub name: Option<String>,
    pub logo: Option<Link>,
    pub color: Option<BrandColor>,
    pub privacy: Option<Link>,
    pub contact_email: Option<String>,
}

/// An absolute https URL, or a path on this worker (a file in `public/`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub href: String,
    /// A logo's must be admitted by the pages' CSP.
    pub origin: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrandColor {
    /// The pages' `<style>` and its CSP source: the colour dark enough for white text, and for
    /// hover darker still.
    pub css: String,
    pub csp_hash: String,
}

/// What a deployment without each looks like: a warning, not a problem.
#[rustfmt::skip]
const UNSET: [(&str, &str); 3] = [
    ("BRAND_NAME", "every page is headed \"Careers\" and names no company"),
    ("PRIVACY_URL", "the form's data notice and the pages' footer have no privacy link"),
    ("CONTACT_EMAIL", "a candidate whose invite does not arrive is told no one to write to"),
];

pub(super) fn read<V: Vars + ?Sized>(r: &mut Reader<V>) -> Brand {
    let link_why = "must be an https URL or a path on this worker such as /logo.svg";
    let email_why = "must be an email address like jobs@example.com";
    let email = |raw: &str| Email::parse(raw).ok().map(|e| e.as_str().to_string());
    for (name, missing) in UNSET {
        if r.text(name).is_none() {
            r.warnings.push(format!("{name} is not set: {missing}"));
        }
    }
    Brand {
        name: r.text("BRAND_NAME").map(|n| n.chars().filter(|c| !c.is_control()).take(80).collect()),
        logo: r.check("BRAND_LOGO_URL", link_why, parse_link),
        privacy: r.check("PRIVACY_URL", link_why, parse_link),
        contact_email: r.check("CONTACT_EMAIL", email_why, email),
        color: r.check("BRAND_COLOR", "must be a colour like #1d4ed8", parse_hex).map(|rgb| {
            let usable = darken_for_white_text(rgb);
            if usable != rgb {
                let (given, used) = (hex(rgb), hex(usable));
                let ratio = ratio_text(contrast_tenths(rgb, WHITE));
                r.warnings.push(format!("BRAND_COLOR {given} gives white text only {ratio} contrast (WCAG asks 4.5:1): the pages use {used} instead"));
            }
            BrandColor::new(usable)
        }),
    }
}

fn parse_link(raw: &str) -> Option<Link> {
    if raw.starts_with('/') {
        // `//host` would be another site; the rest kept to what a file in public/ needs.
        let file_byte = |b: u8| b.is_ascii_alphanumeric() || b"/-_.~%".contains(&b);
        let safe = !raw.starts_with("//") && !raw.contains("..") && raw.bytes().all(file_byte);
        return safe.then(|| Link {
            href: raw.to_string(),
            origin: None,
        });
    }
    let url = HttpUrl::parse(raw).filter(HttpUrl::is_https)?;
    Some(Link {
        href: url.to_string(),
        origin: Some(url.origin()),
    })
}

type Rgb = [u8; 3];
const WHITE: Rgb = [255, 255, 255];

impl BrandColor {
    fn new(rgb: Rgb) -> BrandColor {
        let (base, hover) = (hex(rgb), hex(scale(rgb, 80)));
        let css = format!(":root{{--brand:{base};--brand-hover:{hover}}}");
        let digest = Sha256::digest(css.as_bytes());
        let csp_hash = format!("'sha256-{}'", STANDARD.encode(digest));
        BrandColor { css, csp_hash }
    }
}

/// `#rgb` or `#rrggbb`, any case.
fn parse_hex(raw: &str) -> Option<Rgb> {
    let hex_digits = |d: &&str| d.bytes().all(|b| b.is_ascii_hexdigit());
    let digits = raw.strip_prefix('#').filter(hex_digits)?;
    let [_, r, g, b] = u32::from_str_radix(digits, 16).ok()?.to_be_bytes();
    match digits.len() {
        3 => Some([g & 15, b >> 4, b & 15].map(|c| c * 17)),
        6 => Some([r, g, b]),
        _ => None,
    }
}

fn hex(rgb: Rgb) -> String {
    format!("#{:02x}{:02x}{:02x}", rgb[0], rgb[1], rgb[2])
}

fn scale(rgb: Rgb, percent: u16) -> Rgb {
    rgb.map(|c| u8::try_from(u16::from(c) * percent / 100).unwrap_or(c))
}

/// The lightest shade of it (itself included; black at worst) with white text at 4.5:1.
fn darken_for_white_text(rgb: Rgb) -> Rgb {
    let passes = |shade: &Rgb| contrast_tenths(*shade, WHITE) >= MIN_CONTRAST_TENTHS;
    let mut shades = (0..=100u16).rev().map(|percent| scale(rgb, percent));
    shades.find(passes).unwrap_or([0, 0, 0])
}

/// The WCAG contrast ratio, in tenths, rounded down (so 4.49:1 never passes as 4.5:1).
fn contrast_tenths(a: Rgb, b: Rgb) -> u32 {
    let channel = |c: u8| match f64::from(c) / 255.0 {
        c if c <= 0.04045 => c / 12.92,
        c => ((c + 0.055) / 1.055).powf(2.4),
    };
    // WCAG 2 relative luminance.
    let luminance =
        |[r, g, b]: Rgb| 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
    let (la, lb) = (luminance(a), luminance(b));
    let ratio = (la.max(lb) + 0.05) / (la.min(lb) + 0.05);
    // Between 1 and 21: the cast cannot overflow.
    (ratio * 10.0) as u32
}

/// Integer formatting only: float formatting costs the wasm kilobytes.
fn ratio_text(tenths: u32) -> String {
    format!("{}.{}:1", tenths / 10, tenths % 10)
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Parsed {
        brand: Brand,
        problems: Vec<String>,
        warnings: Vec<String>,
    }

    fn parse(vars: &[(&str, &str)]) -> Parsed {
        let mut r = Reader {
            vars,
            problems: Vec::new(),
            warnings: Vec::new(),
        };
        let brand = read(&mut r);
        Parsed {
            brand,
            problems: r.problems,
            warnings: r.warnings,
        }
    }

    fn with_color(color: &str) -> Parsed {
        parse(&[
            ("BRAND_NAME", "Example Ltd"),
            ("BRAND_COLOR", color),
            ("PRIVACY_URL", "https://example.com/privacy"),
            ("CONTACT_EMAIL", "jobs@example.com"),
        ])
    }

    #[test]
    fn contrast_matches_wcag_reference_values() {
        assert_eq!(contrast_tenths([0, 0, 0], WHITE), 210);
        assert_eq!(contrast_tenths(WHITE, WHITE), 10);
        // #767676 is the classic lightest grey with 4.5:1 on white.
        assert_eq!(contrast_tenths([0x76, 0x76, 0x76], WHITE), 45);
        assert_eq!(contrast_tenths([0x77, 0x77, 0x77], WHITE), 44);
        assert_eq!(ratio_text(45), "4.5:1");
    }

    #[test]
    fn a_dark_colour_is_used_as_it_is_without_a_warning() {
        let parsed = with_color("#1D4ED8");
        assert!(parsed.problems.is_empty() && parsed.warnings.is_empty());
        let color = parsed.brand.color.unwrap();
        assert_eq!(color.css, ":root{--brand:#1d4ed8;--brand-hover:#173eac}");
        // What a browser computes for the <style> (Python: base64 of its SHA-256).
        assert_eq!(
            color.csp_hash,
            "'sha256-fkn7nABIGITW2teRa4VeNmp9GMHSF8+ggrehnxxfEvk='"
        );
    }

    #[test]
    fn a_light_colour_is_darkened_until_white_text_passes_and_warned_about() {
        let parsed = with_color("#fc0");
        assert!(parsed.problems.is_empty());
        let color = parsed.brand.color.unwrap();
        // The colour the pages use, as their `<style>` names it.
        let base = color.css.split([':', ';']).nth(2).unwrap();
        let used = parse_hex(base).unwrap();
        assert!(contrast_tenths(used, WHITE) >= 45, "{base}");
        // The lightest shade that passes: one step lighter fails.
        let percent = (0..=100u16)
            .rev()
            .find(|p| scale([255, 204, 0], *p) == used)
            .unwrap();
        assert!(contrast_tenths(scale([255, 204, 0], percent + 1), WHITE) < 45);
        assert_eq!(parsed.warnings.len(), 1);
        let warning = &parsed.warnings[0];
        assert!(
            warning.starts_with("BRAND_COLOR #ffcc00 gives white text only 1.5:1"),
            "{warning}"
        );
        assert!(
            warning.ends_with(&format!("use {base} instead")),
            "{warning}"
        );
    }

    #[test]
    fn bad_values_are_problems_by_name_and_left_out() {
        let parsed = parse(&[
            ("BRAND_NAME", "  Example\u{7} Ltd "),
            ("BRAND_LOGO_URL", "javascript:alert(1)"),
            ("BRAND_COLOR", "blue"),
            ("PRIVACY_URL", "http://example.com/privacy"),
            ("CONTACT_EMAIL", "not an email"),
        ]);
        assert_eq!(parsed.brand.name.as_deref(), Some("Example Ltd"));
        assert_eq!(parsed.brand.logo, None);
        assert_eq!(parsed.brand.color, None);
        assert_eq!(parsed.brand.privacy, None);
        assert_eq!(parsed.brand.contact_email, None);
        let all = parsed.problems.join("\n");
        for name in [
            "BRAND_LOGO_URL",
            "BRAND_COLOR",
            "PRIVACY_URL",
            "CONTACT_EMAIL",
        ] {
            assert!(all.contains(name), "{all}");
        }
        assert!(!all.contains("javascript") && !all.contains("not an email"));
    }

    #[test]
    fn links_are_https_or_local_paths() {
        let logo = parse_link("https://cdn.example.com/logo.png").unwrap();
        assert_eq!(logo.origin.as_deref(), Some("https://cdn.example.com"));
        assert_eq!(parse_link("/logo.svg").unwrap().origin, None);
        for bad in [
            "//evil.example/x.png",
            "/../x",
            "/a b",
            "/x\"onerror",
            "http://x.com/a",
            "data:x",
        ] {
            assert_eq!(parse_link(bad), None, "{bad}");
        }
    }

    #[test]
    fn missing_name_privacy_and_contact_are_warnings() {
        let parsed = parse(&[]);
        assert!(parsed.problems.is_empty());
        let all = parsed.warnings.join("\n");
        assert!(
            all.contains("BRAND_NAME")
                && all.contains("PRIVACY_URL")
                && all.contains("CONTACT_EMAIL"),
            "{all}"
        );
        assert_eq!(parsed.brand, Brand::default());
    }
}
