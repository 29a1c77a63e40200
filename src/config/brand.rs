//! The company around the form: its name, logo and colour, its privacy notice and a contact
//! address. Read on every page, including the pages of a deployment whose other settings are
//! broken, so parsing never fails: a bad value is left out of the pages and reported by name.

use super::names;
use crate::domain::Email;
use crate::http_url::HttpUrl;
use sha2::{Digest, Sha256};
use worker::Env;

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
    /// The origin of an absolute URL: a logo's must be admitted by the pages' CSP.
    pub origin: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrandColor {
    /// `#rrggbb`, dark enough for white text (darkened from the setting when it was not).
    pub base: String,
    /// For hover: darker still.
    pub hover: String,
    /// The `<style>` the pages carry to use it, and its CSP source (`'sha256-...'`).
    pub css: String,
    pub csp_hash: String,
}

#[derive(Debug, Default, Clone)]
pub struct RawBrand {
    pub name: Option<String>,
    pub logo_url: Option<String>,
    pub color: Option<String>,
    pub privacy_url: Option<String>,
    pub contact_email: Option<String>,
}

/// A brand, with what is wrong (`problems`: a value that cannot be used) and what an operator
/// should know (`warnings`: used, but not as given, or missing).
pub struct Parsed {
    pub brand: Brand,
    pub problems: Vec<String>,
    pub warnings: Vec<String>,
}

impl RawBrand {
    pub fn from_env(env: &Env) -> Self {
        let var = |name: &str| env.var(name).ok().map(|v| v.to_string());
        RawBrand {
            name: var(names::BRAND_NAME),
            logo_url: var(names::BRAND_LOGO_URL),
            color: var(names::BRAND_COLOR),
            privacy_url: var(names::PRIVACY_URL),
            contact_email: var(names::CONTACT_EMAIL),
        }
    }

    pub fn parse(&self) -> Parsed {
        let mut problems = Vec::new();
        let mut warnings = Vec::new();
        let set = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        let name =
            set(&self.name).map(|n| n.chars().filter(|c| !c.is_control()).take(80).collect());
        if name.is_none() {
            warnings.push(format!(
                "{} is not set: every page is headed \"Careers\" and names no company",
                names::BRAND_NAME
            ));
        }
        let mut link = |setting: &str, raw: Option<String>| {
            let raw = raw?;
            let link = parse_link(&raw);
            if link.is_none() {
                problems.push(format!(
                    "{setting} must be an https URL or a path on this worker such as /logo.svg"
                ));
            }
            link
        };
        let logo = link(names::BRAND_LOGO_URL, set(&self.logo_url));
        let privacy = link(names::PRIVACY_URL, set(&self.privacy_url));
        if set(&self.privacy_url).is_none() {
            warnings.push(format!(
                "{} is not set: the form's data notice and the pages' footer have no privacy link",
                names::PRIVACY_URL
            ));
        }
        let contact_email = match set(&self.contact_email) {
            Some(raw) => match Email::parse(&raw) {
                Ok(email) => Some(email.as_str().to_string()),
                Err(_) => {
                    problems.push(format!(
                        "{} must be an email address like jobs@example.com",
                        names::CONTACT_EMAIL
                    ));
                    None
                }
            },
            None => {
                warnings.push(format!(
                    "{} is not set: a candidate whose invite does not arrive is told no one to write to",
                    names::CONTACT_EMAIL
                ));
                None
            }
        };
        let color = match set(&self.color) {
            Some(raw) => match parse_hex(&raw) {
                Some(rgb) => {
                    let usable = darken_for_white_text(rgb);
                    if usable != rgb {
                        warnings.push(format!(
                            "{} {} gives white text only {} contrast (WCAG asks 4.5:1): the pages use {} instead",
                            names::BRAND_COLOR,
                            hex(rgb),
                            ratio_text(contrast_tenths(rgb, WHITE)),
                            hex(usable)
                        ));
                    }
                    Some(BrandColor::new(usable))
                }
                None => {
                    problems.push(format!(
                        "{} must be a colour like #1d4ed8",
                        names::BRAND_COLOR
                    ));
                    None
                }
            },
            None => None,
        };
        Parsed {
            brand: Brand {
                name,
                logo,
                color,
                privacy,
                contact_email,
            },
            problems,
            warnings,
        }
    }
}

fn parse_link(raw: &str) -> Option<Link> {
    if raw.starts_with('/') {
        // A path on this worker; `//host` would be another site, and the rest is kept to the
        // characters a file name in public/ needs.
        let safe = !raw.starts_with("//")
            && !raw.contains("..")
            && raw
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"/-_.~%".contains(&b));
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
        let csp_hash = format!("'sha256-{}'", base64(&Sha256::digest(css.as_bytes())));
        BrandColor {
            base,
            hover,
            css,
            csp_hash,
        }
    }
}

/// `#rgb` or `#rrggbb`, any case.
fn parse_hex(raw: &str) -> Option<Rgb> {
    let digits = raw.strip_prefix('#')?;
    if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let nibble = |i: usize| u8::from_str_radix(digits.get(i..=i)?, 16).ok();
    match digits.len() {
        3 => Some([nibble(0)? * 17, nibble(1)? * 17, nibble(2)? * 17]),
        6 => {
            let byte = |i: usize| u8::from_str_radix(digits.get(i..i + 2)?, 16).ok();
            Some([byte(0)?, byte(2)?, byte(4)?])
        }
        _ => None,
    }
}

fn hex(rgb: Rgb) -> String {
    format!("#{:02x}{:02x}{:02x}", rgb[0], rgb[1], rgb[2])
}

/// Each channel times `percent` / 100: the same hue, darker.
fn scale(rgb: Rgb, percent: u16) -> Rgb {
    rgb.map(|c| u8::try_from(u16::from(c) * percent / 100).unwrap_or(c))
}

/// The colour itself when white text on it reaches 4.5:1, else the lightest darker shade of it
/// that does (black, at worst, always does).
fn darken_for_white_text(rgb: Rgb) -> Rgb {
    (0..=100u16)
        .rev()
        .map(|percent| scale(rgb, percent))
        .find(|shade| contrast_tenths(*shade, WHITE) >= MIN_CONTRAST_TENTHS)
        .unwrap_or([0, 0, 0])
}

/// WCAG 2 relative luminance.
fn luminance(rgb: Rgb) -> f64 {
    let channel = |c: u8| {
        let c = f64::from(c) / 255.0;
        if c <= 0.04045 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * channel(rgb[0]) + 0.7152 * channel(rgb[1]) + 0.0722 * channel(rgb[2])
}

/// The WCAG contrast ratio, in tenths, rounded down (so 4.49:1 never passes as 4.5:1).
fn contrast_tenths(a: Rgb, b: Rgb) -> u32 {
    let (la, lb) = (luminance(a), luminance(b));
    let ratio = (la.max(lb) + 0.05) / (la.min(lb) + 0.05);
    // A ratio lies between 1 and 21: the cast cannot overflow.
    (ratio * 10.0) as u32
}

/// `4.5:1`, with integer formatting only (float formatting costs the wasm kilobytes).
fn ratio_text(tenths: u32) -> String {
    format!("{}.{}:1", tenths / 10, tenths % 10)
}

/// Standard base64 with padding, for a CSP hash source.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk.first().copied().unwrap_or(0),
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (i, shift) in [18u32, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                let index = usize::try_from((n >> shift) & 63).unwrap_or(0);
                out.push(char::from(ALPHABET.get(index).copied().unwrap_or(b'A')));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(color: &str) -> RawBrand {
        RawBrand {
            name: Some("Example Ltd".into()),
            color: Some(color.into()),
            privacy_url: Some("https://example.com/privacy".into()),
            contact_email: Some("jobs@example.com".into()),
            ..RawBrand::default()
        }
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
        let parsed = raw("#1D4ED8").parse();
        assert!(parsed.problems.is_empty() && parsed.warnings.is_empty());
        let color = parsed.brand.color.unwrap();
        assert_eq!(color.base, "#1d4ed8");
        assert_eq!(color.css, ":root{--brand:#1d4ed8;--brand-hover:#173eac}");
    }

    #[test]
    fn a_light_colour_is_darkened_until_white_text_passes_and_warned_about() {
        let parsed = raw("#fc0").parse();
        assert!(parsed.problems.is_empty());
        let color = parsed.brand.color.unwrap();
        let used = parse_hex(&color.base).unwrap();
        assert!(contrast_tenths(used, WHITE) >= 45, "{}", color.base);
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
            warning.ends_with(&format!("use {} instead", color.base)),
            "{warning}"
        );
    }

    #[test]
    fn bad_values_are_problems_by_name_and_left_out() {
        let parsed = RawBrand {
            name: Some("  Example\u{7} Ltd ".into()),
            logo_url: Some("javascript:alert(1)".into()),
            color: Some("blue".into()),
            privacy_url: Some("http://example.com/privacy".into()),
            contact_email: Some("not an email".into()),
        }
        .parse();
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
        let parsed = RawBrand::default().parse();
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

    #[test]
    fn base64_matches_known_vectors() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
    }
}
