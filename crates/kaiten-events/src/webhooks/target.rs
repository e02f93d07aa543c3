//! Where deliveries may go. A webhook URL is chosen by a tenant, so without a check it could
//! make the server call its own network (cloud metadata, the database, the platform listener):
//! targets on loopback, private, link-local and other non-global addresses are refused unless
//! the operator allows them. The check runs on the addresses actually connected to (a resolver
//! that drops non-public answers), so a name that resolves differently later is caught too.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use url::{Host, Url};

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
pub fn check(url: &str, allow_private: bool) -> Result<Url, TargetError> {
    let parsed = Url::parse(url).map_err(|_| TargetError::Invalid)?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host().is_none() || url.len() > 2048 {
        return Err(TargetError::Invalid);
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(TargetError::Credentials);
    }
    if !allow_private && !public_host(parsed.host()) {
        return Err(TargetError::Private);
    }
    Ok(parsed)
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
    let first = ip.segments()[0];
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast()
        || (first & 0xfe00) == 0xfc00 // unique local
        || (first & 0xffc0) == 0xfe80 // link-local
        || first == 0x2001 && ip.segments()[1] == 0x0db8 // documentation
        || first == 0x0064 && ip.segments()[1] == 0xff9b) // NAT64, which can reach private IPv4
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
