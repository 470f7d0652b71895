import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import UsageApp

@Suite("The PWA's files")
struct AppShellTests {
    static let referrerPolicy = HTTPField.Name("Referrer-Policy")!

    @Test("pages, scripts and API errors all carry the security headers; the policy allows no inline code")
    func securityHeaders() async throws {
        let dorm = try await TestDorm()
        try await dorm.withServer { client in
            for (path, status) in [("/", HTTPResponse.Status.ok), ("/js/app.mjs", .ok), ("/api/board", .unauthorized)] {
                let response = try await client.execute(uri: path, method: .get)
                #expect(response.status == status, "\(path)")
                let policy = try #require(response.headers[.contentSecurityPolicy], "\(path)")
                #expect(policy.contains("script-src 'self'") && policy.contains("frame-ancestors 'none'"))
                #expect(!policy.contains("unsafe-inline") && !policy.contains("unsafe-eval"))
                #expect(response.headers[.xContentTypeOptions] == "nosniff")
                #expect(response.headers[Self.referrerPolicy] == "no-referrer")
            }
            let script = try await client.execute(uri: "/js/live.mjs", method: .get)
            #expect(script.headers[.contentType] == "text/javascript", "modules need a JavaScript type under nosniff")
            let join = try await client.execute(uri: "/join", method: .get)
            #expect(join.status == .found && join.headers[.location] == "/")
            let escape = try await client.execute(uri: "/js/../../openapi.yaml", method: .get)
            #expect(escape.status == .badRequest || escape.status == .notFound)
        }
    }

    @Test("index.html has no inline script, handler or style for the policy to block")
    func noInlineCode() throws {
        let folder = try #require(AppController.publicFolder)
        let html = try String(contentsOfFile: folder + "/index.html", encoding: .utf8)
        let scripts = html.components(separatedBy: "<script").dropFirst()
        #expect(!scripts.isEmpty && scripts.allSatisfy { $0.hasPrefix(" type=\"module\" src=") })
        #expect(html.range(of: #"\son[a-z]+\s*="#, options: .regularExpression) == nil)
        #expect(html.range(of: #"\sstyle\s*="#, options: .regularExpression) == nil && !html.contains("<style"))
    }

    @Test("the manifest makes the app installable: name, standalone, start URL, 192 and 512 px icons, a maskable one")
    func manifest() async throws {
        let dorm = try await TestDorm()
        try await dorm.withServer { client in
            let response = try await client.execute(uri: "/manifest.webmanifest", method: .get)
            #expect(response.headers[.contentType] == "application/manifest+json")
            let manifest = try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
            #expect(manifest["display"] as? String == "standalone" && manifest["start_url"] as? String == "/")
            #expect((manifest["short_name"] as? String)?.isEmpty == false && manifest["theme_color"] is String)
            let icons = try #require(manifest["icons"] as? [[String: String]])
            for icon in icons {
                let file = try await client.execute(uri: try #require(icon["src"]), method: .get)
                #expect(file.status == .ok && file.headers[.contentType] == "image/png")
                #expect(try Self.pngSize(Data(buffer: file.body)) == icon["sizes"], "\(icon)")
            }
            #expect(Set(icons.compactMap { $0["sizes"] }) == ["192x192", "512x512"])
            #expect(icons.contains { $0["purpose"] == "maskable" })
        }
    }

    /// `WIDTHxHEIGHT` from a PNG's IHDR chunk.
    static func pngSize(_ data: Data) throws -> String {
        let bytes = [UInt8](data)
        try #require(bytes.count > 24 && bytes[0..<8] == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        let number = { (offset: Int) in bytes[offset..<offset + 4].reduce(0) { $0 << 8 | Int($1) } }
        return "\(number(16))x\(number(20))"
    }
}
