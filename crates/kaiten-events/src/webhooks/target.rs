//! Where deliveries may go. A webhook URL is chosen by a tenant, so without a check it could
//! make the server call its own network (cloud metadata, the database, the platform listener):
//! targets on loopback, private, link-local and other non-global addresses are refused unless
//! the operator allows them. The check runs on the addresses actually connected to (a resolver
//! that drops non-public answers), so a name that resolves differently later is caught too.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use url::{Host, Url};

/// The longest URL an endpoint may have.
const MAX_URL: usize = 2048;

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum TargetError {
    #[error("the URL is not absolute http(s) with a host")]
    Invalid,
    #[error("the URL carries credentials; put them in the path or query instead")]
    Credentials,
    #[error("the URL targets a loopback, private or otherwise non-public address")]
    Private,
}

/// Parses and checks an endpoint URL as far as it can be without resolving its name.
pub fn check(url: &str, allow_private: bool) -> Result<(), TargetError> {
    let parsed = Url::parse(url).map_err(|_| TargetError::Invalid)?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host().is_none() || url.len() > MAX_URL {
        return Err(TargetError::Invalid);
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(TargetError::Credentials);
    }
    if !allow_private && !public_host(parsed.host()) {
        return Err(TargetError::Private);
    }
    Ok(())
}

fn public_host(host: Option<Host<&str>>) -> bool {
    match host {
        Some(Host::Ipv4(ip)) => is_public(IpAddr::V4(ip)),
        Some(Host::Ipv6(ip)) => is_public(IpAddr::V6(ip)),
        Some(Host::Domain(name)) => {
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            name != "localhost" && !name.ends_with(".localhost") && !name.ends_with(".internal")
        }
        None => false,
    }
}

/// Whether an address is globally routable (what `IpAddr::is_global` will say once stable).
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(ip) => is_public_v4(ip),
        IpAddr::V6(ip) => match ip.to_ipv4_mapped() {
            Some(v4) => is_public_v4(v4),
            None => is_public_v6(ip),
        },
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_broadcast()
        || ip.is_documentation()
        || ip.is_multicast()
        || a == 0
        || (a == 100 && (64..128).contains(&b)) // shared address space (carrier-grade NAT)
        || (a == 192 && b == 0 && ip.octets()[2] == 0) // IETF protocol assignments
        || (a == 198 && (18..20).contains(&b)) // benchmarking
        || a >= 240) // reserved
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let [a, b, ..] = ip.segments();
    // Forms that carry an IPv4 address: judged by that address.
    if let Some(v4) = embedded_v4(ip) {
        return is_public_v4(v4);
    }
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast()
        || (a & 0xfe00) == 0xfc00 // unique local
        || (a & 0xffc0) == 0xfe80 // link-local
        || (a & 0xffc0) == 0xfec0 // site-local (deprecated, still routed by some)
        || (a == 0x2001 && b == 0x0db8) // documentation
        || (a == 0x0064 && b == 0xff9b) // NAT64, which can reach private IPv4
        || (a == 0x2001 && b == 0x0000) // Teredo, which tunnels to an IPv4 address
        || a == 0x2002 // 6to4, likewise
        || (a == 0x0100 && b == 0 && ip.segments()[2] == 0 && ip.segments()[3] == 0)) // discard-only
}

/// The IPv4 address inside an IPv4-compatible (`::a.b.c.d`) or IPv4-translated
/// (`::ffff:0:a.b.c.d`) address.
fn embedded_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    let s = ip.segments();
    let v4 = Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8);
    let compatible = s[..6].iter().all(|&x| x == 0) && !(s[6] == 0 && s[7] <= 1);
    let translated = s[..4].iter().all(|&x| x == 0) && s[4] == 0xffff && s[5] == 0;
    (compatible || translated).then_some(v4)
}

/// A resolver that answers only public addresses: a name resolving to nothing else fails.
pub struct PublicOnly;

impl Resolve for PublicOnly {
    fn resolve(&self, name: Name) -> Resolving {
        Box::pin(async move {
            let host = name.as_str().to_owned();
            let found: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let public: Vec<SocketAddr> = found.into_iter().filter(|addr| is_public(addr.ip())).collect();
            if public.is_empty() {
                return Err(format!("{host} resolves to no public address").into());
            }
            Ok(Box::new(public.into_iter()) as Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_targets_are_refused_unless_allowed() {
        for url in [
            "http://127.0.0.1/hook",
            "http://localhost:8080/",
            "http://api.localhost/",
            "http://10.1.2.3/",
            "http://172.16.0.1/",
            "http://192.168.1.1/",
            "http://169.254.169.254/latest/meta-data",
            "http://[::1]/",
            "http://[fd00::1]/",
            "http://[fe80::1]/",
            "http://[::ffff:127.0.0.1]/",
            "http://0.0.0.0/",
            "http://100.64.0.1/",
            "http://metadata.google.internal/",
            "http://2130706433/", // 127.0.0.1 as one number: the URL parser normalises it
            "http://0x7f.1/",
            "http://[::127.0.0.1]/",
            "http://[::ffff:0:10.0.0.1]/",
            "http://[fec0::1]/",
            "http://[2002:7f00:1::]/",
            "http://[2001:0:4136:e378::1]/",
            "http://[100::1]/",
        ] {
            assert_eq!(check(url, false), Err(TargetError::Private), "{url}");
            assert!(check(url, true).is_ok(), "{url}");
        }
    }

    #[test]
    fn public_targets_and_bad_urls() {
        assert!(check("https://hooks.example.com/kaiten?x=1", false).is_ok());
        assert!(check("http://93.184.216.34:8443/", false).is_ok());
        assert!(check("https://[2606:4700::1111]/", false).is_ok());
        assert_eq!(check("ftp://example.com/", true), Err(TargetError::Invalid));
        assert_eq!(check("not a url", true), Err(TargetError::Invalid));
        assert_eq!(check("https://user:pw@example.com/", true), Err(TargetError::Credentials));
    }

    #[tokio::test]
    async fn the_resolver_drops_non_public_answers() {
        let name: Name = "localhost".parse().unwrap();
        assert!(PublicOnly.resolve(name).await.is_err());
    }
}
