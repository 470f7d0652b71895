import DeviceState
import Foundation

/// Which push endpoints the server will POST to. Endpoints come from browsers, so
/// without this check a resident could make the server send requests anywhere (SSRF).
///
/// https only, to hosts of the known push services; plain http only to loopback and only
/// when explicitly allowed (tests and local trials).
public struct PushEndpointPolicy: Sendable {
    /// Hosts of the push services of Chrome and Android (FCM), Firefox (Mozilla autopush),
    /// Safari and iOS (Apple) and Edge (Windows Push Notification Services).
    public static let defaultAllowedHosts: [String] = [
        "fcm.googleapis.com", "android.googleapis.com",
        "updates.push.services.mozilla.com",
        "web.push.apple.com",
        "*.notify.windows.com",
    ]

    /// Entries are `host` (the scheme's default port only) or `host:port`;
    /// `*.example.com` matches any subdomain of example.com, not example.com itself.
    public var allowedHosts: [String]
    public var allowsInsecureLoopback: Bool

    public init(allowedHosts: [String] = Self.defaultAllowedHosts, allowsInsecureLoopback: Bool = false) {
        self.allowedHosts = allowedHosts.map { $0.lowercased() }
        self.allowsInsecureLoopback = allowsInsecureLoopback
    }

    public enum Rejection: Error, Sendable, Equatable, CustomStringConvertible {
        case notAURL
        case schemeNotAllowed(String)
        case credentialsInURL
        case hostNotAllowed(String)

        /// Why, as the catalogue says it of an `endpoint` field.
        public var problem: InputProblem {
            switch self {
            case .notAURL: .pushEndpointNotAURL
            case .schemeNotAllowed(let scheme): .pushEndpointScheme(scheme)
            case .credentialsInURL: .pushEndpointCredentials
            case .hostNotAllowed(let host): .pushEndpointHost(host)
            }
        }

        public var description: String { problem.text() }
    }

    /// Accepts `endpoint` or says why not.
    public func check(_ endpoint: String) throws(Rejection) -> URL {
        guard endpoint.count <= 2048, let components = URLComponents(string: endpoint), let url = components.url,
            let scheme = components.scheme?.lowercased(), let host = components.host?.lowercased(), !host.isEmpty
        else { throw .notAURL }
        guard components.user == nil, components.password == nil else { throw .credentialsInURL }
        let port = components.port
        switch scheme {
        case "https":
            guard isAllowed(host: host, port: port ?? 443, defaultPort: 443) else { throw .hostNotAllowed(host) }
        case "http" where allowsInsecureLoopback && Self.isLoopback(host):
            guard isAllowed(host: host, port: port ?? 80, defaultPort: 80) else { throw .hostNotAllowed(host) }
        default:
            throw .schemeNotAllowed(scheme)
        }
        return url
    }

    private func isAllowed(host: String, port: Int, defaultPort: Int) -> Bool {
        allowedHosts.contains { entry in
            let (entryHost, entryPort) = Self.split(entry)
            guard (entryPort ?? defaultPort) == port else { return false }
            if entryHost.hasPrefix("*.") {
                return host.hasSuffix(entryHost.dropFirst(1)) && host.count > entryHost.count - 1
            }
            return host == entryHost
        }
    }

    private static func split(_ entry: String) -> (host: String, port: Int?) {
        if let colon = entry.lastIndex(of: ":"), let port = Int(entry[entry.index(after: colon)...]) {
            return (String(entry[..<colon]), port)
        }
        return (entry, nil)
    }

    /// Only the literal loopback names: a DNS name that resolves to 127.0.0.1 is not trusted.
    static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "[::1]" || host == "::1"
            || host.hasPrefix("127.")
                && host.split(separator: ".").count == 4 && host.split(separator: ".").allSatisfy { UInt8($0) != nil }
    }
}
