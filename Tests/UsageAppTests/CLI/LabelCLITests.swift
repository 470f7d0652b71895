import DeviceState
import Foundation
import Testing

@testable import UsageApp

@Suite("washboard admin machine label")
struct LabelCLITests {
    /// Runs a Debian tool (rsvg-convert, zbarimg) to completion; its standard output.
    static func tool(_ name: String, _ arguments: String...) async throws -> String {
        let result = try await run(URL(fileURLWithPath: "/usr/bin/\(name)"), arguments)
        #expect(result.status == 0, "\(name) \(arguments.joined(separator: " ")): \(result.stderr)")
        return result.stdout
    }

    @Test("a label per machine whose QR code decodes (zbarimg) to the machine's URL; text is escaped")
    func labelsDecode() async throws {
        let folder = try TestFolder()
        let db = folder.databasePath
        for (id, location) in [("W1", "Hall <A> & B"), ("D12", "Annex")] {
            let added = try await washboard(
                "admin", "machine", "add", id, "--kind", "washer", "--location", location, "--db", db)
            #expect(added.status == 0, "\(added.stderr)")
        }
        let out = folder.url.appendingPathComponent("labels").path
        let result = try await washboard(
            "admin", "machine", "label", "--out", out, "--public-origin", "https://laundry.example.org", "--json", "--db", db)
        #expect(result.status == 0, "\(result.stderr)")
        let written = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: String]])
        #expect(written.map { $0["id"] } == ["D12", "W1"])
        for label in written {
            let file = try #require(label["file"])
            let svg = try String(contentsOfFile: file, encoding: .utf8)
            #expect(!svg.contains("<A>") && svg.contains("Hall &lt;A&gt; &amp; B") == (label["id"] == "W1"))
            let png = file + ".png"
            _ = try await Self.tool("rsvg-convert", "--width", "600", "--output", png, file)
            let decoded = try await Self.tool("zbarimg", "--quiet", "--raw", png)
            #expect(decoded.trimmingCharacters(in: .whitespacesAndNewlines) == "https://laundry.example.org/m/\(label["id"]!)")
        }

        let unknown = try await washboard("admin", "machine", "label", "W404", "--out", out, "--db", db)
        #expect(unknown.status != 0 && unknown.stderr.contains("W404"))
    }
}
