//! Who the client is, as far as per-client limits are concerned: the peer address, or, when the
//! peer is one of the configured `trusted_proxies`, the address that proxy says it forwarded
//! for (`X-Forwarded-For`).
//!
//! Only the entries the trusted proxies appended are believed: the header is read from the
//! right, skipping trusted proxies, and the first address that is not one is the client. What a
//! client writes into the header itself sits further left and is never reached. Without trusted
//! proxies (the default) the header is ignored: behind a proxy every client then shares the
//! proxy's address, and its limits.

use std::net::{IpAddr, SocketAddr};

use actix_web::dev::RequestHead;
use ipnet::IpNet;

/// The client's address for `head`, received from `peer`.
pub fn client_ip(
    head: &RequestHead,
    peer: Option<SocketAddr>,
    trusted: &[IpNet],
) -> Option<IpAddr> {
    let peer = peer?.ip().to_canonical();
    if !is_trusted(peer, trusted) {
        return Some(peer);
    }
    let forwarded: Vec<&str> = head
        .headers()
        .get_all("x-forwarded-for")
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    for entry in forwarded.iter().rev() {
        // A malformed entry ends the trust: nothing left of it was written by a trusted proxy.
        let Some(ip) = parse_entry(entry) else {
            return Some(peer);
        };
        if !is_trusted(ip, trusted) {
            return Some(ip);
        }
    }
    Some(peer)
}

fn is_trusted(ip: IpAddr, trusted: &[IpNet]) -> bool {
    let ip = ip.to_canonical();
    trusted.iter().any(|net| net.contains(&ip))
}

/// An address as proxies write it: `192.0.2.1`, `2001:db8::1`, `[2001:db8::1]`, with or without
/// a port.
fn parse_entry(entry: &str) -> Option<IpAddr> {
    entry
        .parse::<IpAddr>()
        .ok()
        .or_else(|| entry.parse::<SocketAddr>().ok().map(|s| s.ip()))
        .or_else(|| {
            entry
                .strip_prefix('[')
                .and_then(|e| e.strip_suffix(']'))
                .and_then(|e| e.parse().ok())
        })
        .map(|ip: IpAddr| ip.to_canonical())
}

/// Parses one `trusted_proxies` entry: an address (`10.0.0.7`) or a network (`10.0.0.0/8`).
pub fn parse_trusted(entry: &str) -> Result<IpNet, String> {
    let entry = entry.trim();
    entry
        .parse::<IpNet>()
        .or_else(|_| entry.parse::<IpAddr>().map(IpNet::from))
        .map_err(|_| format!("{entry:?} is neither an IP address nor a network (10.0.0.0/8)"))
}

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;

    use super::*;

    fn nets(list: &[&str]) -> Vec<IpNet> {
        list.iter().map(|e| parse_trusted(e).unwrap()).collect()
    }

    fn ip(headers: &[&str], peer: &str, trusted: &[&str]) -> String {
        let mut req = TestRequest::default();
        for h in headers {
            req = req.append_header(("x-forwarded-for", *h));
        }
        let req = req.to_http_request();
        client_ip(req.head(), Some(peer.parse().unwrap()), &nets(trusted))
            .unwrap()
            .to_string()
    }

    #[test]
    fn the_header_counts_only_from_a_trusted_proxy() {
        // No trusted proxies: the header is anyone's to write.
        assert_eq!(ip(&["198.51.100.7"], "203.0.113.5:1", &[]), "203.0.113.5");
        // From a proxy not in the list: ignored too.
        assert_eq!(
            ip(&["198.51.100.7"], "203.0.113.5:1", &["10.0.0.0/8"]),
            "203.0.113.5"
        );
        // From a trusted proxy: the address it appended.
        assert_eq!(
            ip(&["198.51.100.7"], "10.1.2.3:1", &["10.0.0.0/8"]),
            "198.51.100.7"
        );
    }

    #[test]
    fn what_the_client_wrote_itself_is_never_reached() {
        // The client sent `X-Forwarded-For: 1.1.1.1`; the proxy appended the real address.
        assert_eq!(
            ip(&["1.1.1.1, 198.51.100.7"], "10.1.2.3:1", &["10.0.0.0/8"]),
            "198.51.100.7"
        );
        // Two trusted proxies in a row (edge, then ingress), over two header lines.
        assert_eq!(
            ip(
                &["1.1.1.1, 198.51.100.7", "10.9.9.9"],
                "10.1.2.3:1",
                &["10.0.0.0/8"]
            ),
            "198.51.100.7"
        );
        // Garbage stops the walk at the proxy itself.
        assert_eq!(
            ip(&["198.51.100.7, not-an-ip"], "10.1.2.3:1", &["10.0.0.0/8"]),
            "10.1.2.3"
        );
        // Only trusted proxies in the header, or none: the peer.
        assert_eq!(ip(&["10.2.2.2"], "10.1.2.3:1", &["10.0.0.0/8"]), "10.1.2.3");
        assert_eq!(ip(&[], "10.1.2.3:1", &["10.0.0.0/8"]), "10.1.2.3");
    }

    #[test]
    fn addresses_are_read_as_proxies_write_them() {
        for entry in ["2001:db8::7", "[2001:db8::7]", "[2001:db8::7]:443"] {
            assert_eq!(ip(&[entry], "127.0.0.1:1", &["127.0.0.1"]), "2001:db8::7");
        }
        assert_eq!(
            ip(&["198.51.100.7:5555"], "[::1]:1", &["::1"]),
            "198.51.100.7"
        );
        // An IPv4-mapped IPv6 peer is the IPv4 address it maps.
        assert_eq!(
            ip(&["198.51.100.7"], "[::ffff:10.1.2.3]:1", &["10.0.0.0/8"]),
            "198.51.100.7"
        );
    }

    #[test]
    fn trusted_entries_are_addresses_or_networks() {
        assert_eq!(
            parse_trusted("10.0.0.7").unwrap().to_string(),
            "10.0.0.7/32"
        );
        assert_eq!(parse_trusted(" fd00::/8 ").unwrap().to_string(), "fd00::/8");
        assert!(parse_trusted("10.0.0.0/33").is_err());
        assert!(parse_trusted("proxy.internal").is_err());
    }
}
