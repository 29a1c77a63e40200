//! The cheap checks a post passes before it may cost anything: the rate limiter's key and the
//! Origin header.

use std::net::{IpAddr, Ipv6Addr};

/// An IPv4 address, or an IPv6 /64: one host usually holds a whole /64, and would otherwise
/// post as 2^64 clients. `purpose` keeps applications and admin attempts apart.
pub fn client_key(purpose: &str, ip: &str) -> String {
    match ip.trim().parse::<IpAddr>() {
        Ok(IpAddr::V4(v4)) => format!("{purpose}:{v4}"),
        Ok(IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
            Some(v4) => format!("{purpose}:{v4}"),
            None => format!("{purpose}:{}/64", prefix(v6, 64)),
        },
        // Never the case behind Cloudflare: all such posts share one budget.
        Err(_) => format!("{purpose}:unknown"),
    }
}

/// An IPv6 /48, for the wider limit: a tunnel broker hands anyone a /48, 65,536 /64s each with
/// its own first limit. `None` for IPv4.
pub fn network_key(ip: &str) -> Option<String> {
    match ip.trim().parse::<IpAddr>() {
        Ok(IpAddr::V6(v6)) if v6.to_ipv4_mapped().is_none() => {
            Some(format!("apply:{}/48", prefix(v6, 48)))
        }
        _ => None,
    }
}

fn prefix(v6: Ipv6Addr, bits: u32) -> Ipv6Addr {
    Ipv6Addr::from(u128::from(v6) & !(u128::MAX >> bits))
}

/// From a page of this worker, an allowed origin, or no browser at all (no `Origin`: curl, a
/// server). Anything else, `null` included, is a page elsewhere posting for its visitors.
pub fn origin_allowed(origin: Option<&str>, own_origin: &str, allowed: &[String]) -> bool {
    let origin = origin.map(|origin| origin.trim().to_ascii_lowercase());
    origin.is_none_or(|origin| origin == own_origin || allowed.contains(&origin))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn ipv4_is_keyed_by_address_and_ipv6_by_its_64() {
        let key = |ip| client_key("apply", ip);
        assert_eq!(key("203.0.113.7"), "apply:203.0.113.7");
        assert_eq!(
            key("2001:db8:1:2:aaaa::1"),
            key("2001:0db8:0001:0002:ffff:ffff:ffff:ffff")
        );
        assert_eq!(key("2001:db8:1:2::9"), "apply:2001:db8:1:2::/64");
        assert_ne!(key("2001:db8:1:2::1"), key("2001:db8:1:3::1"));
        assert_eq!(key("::ffff:203.0.113.7"), "apply:203.0.113.7");
        assert_eq!(key(""), "apply:unknown");
        assert_eq!(key("not an ip"), "apply:unknown");
        assert_eq!(client_key("admin", "203.0.113.7"), "admin:203.0.113.7");
    }

    #[test]
    fn every_64_of_a_48_shares_its_network_key_and_ipv4_has_none() {
        assert_eq!(
            network_key("2001:db8:1:2::1"),
            Some("apply:2001:db8:1::/48".to_string())
        );
        assert_eq!(
            network_key("2001:db8:1:ffff::1"),
            network_key("2001:db8:1::9")
        );
        assert_ne!(network_key("2001:db8:1::1"), network_key("2001:db8:2::1"));
        assert_eq!(network_key("203.0.113.7"), None);
        assert_eq!(network_key("::ffff:203.0.113.7"), None);
        assert_eq!(network_key("nonsense"), None);
    }

    #[test]
    fn origins_are_this_worker_the_list_or_none() {
        let allowed = vec!["https://careers.example.com".to_string()];
        let own = "https://apply.example.com";
        assert!(origin_allowed(None, own, &allowed));
        assert!(origin_allowed(
            Some("https://apply.example.com"),
            own,
            &allowed
        ));
        assert!(origin_allowed(
            Some("https://Careers.Example.com"),
            own,
            &allowed
        ));
        assert!(!origin_allowed(Some("https://evil.example"), own, &allowed));
        assert!(!origin_allowed(Some("null"), own, &allowed));
        assert!(!origin_allowed(
            Some("https://careers.example.com.evil.example"),
            own,
            &allowed
        ));
        assert!(!origin_allowed(
            Some("http://careers.example.com"),
            own,
            &allowed
        ));
    }

    proptest! {
        #[test]
        fn every_address_of_a_64_shares_one_key(prefix in any::<[u16; 4]>(), a in any::<[u16; 4]>(), b in any::<[u16; 4]>()) {
            let ip = |s: [u16; 4]| Ipv6Addr::new(prefix[0], prefix[1], prefix[2], prefix[3], s[0], s[1], s[2], s[3]);
            // Skip the IPv4-mapped range, keyed by its IPv4 address instead.
            prop_assume!(ip(a).to_ipv4_mapped().is_none() && ip(b).to_ipv4_mapped().is_none());
            prop_assert_eq!(client_key("apply", &ip(a).to_string()), client_key("apply", &ip(b).to_string()));
        }
    }
}
