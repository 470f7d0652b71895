import DeviceState
import Foundation

/// A printable label for a machine: its name, where it stands, and a QR code of the URL that
/// opens the app on it (`PUBLIC_ORIGIN/m/ID`, the same URL an NFC sticker carries). SVG, sized
/// for A7 (74 × 105 mm): print at 100%, cut, stick at eye height.
struct MachineLabel {
    let machine: Machine
    let url: String

    static func url(origin: String, machineId: String) -> String { "\(origin)/m/\(machineId)" }

    /// Millimetres; the QR code is 50 mm wide with its quiet zone, readable from arm's length.
    func svg() throws -> String {
        let code = try QRCode(url)
        let quiet = 4
        let side = code.size + 2 * quiet
        var path = ""
        for y in 0..<code.size {
            for x in 0..<code.size where code.isDark(x: x, y: y) {
                path += "M\(x + quiet) \(y + quiet)h1v1h-1z"
            }
        }
        return """
            <?xml version="1.0" encoding="UTF-8"?>
            <svg xmlns="http://www.w3.org/2000/svg" width="74mm" height="105mm" viewBox="0 0 74 105">
              <title>\(Self.escaped(machine.label))</title>
              <rect width="74" height="105" fill="#fff"/>
              <rect x="1" y="1" width="72" height="103" rx="3" fill="none" stroke="#0f5c8c" stroke-width="0.6"/>
              <text x="37" y="15" text-anchor="middle" font-family="sans-serif" font-size="8" font-weight="bold" fill="#1a2530">\(Self.escaped(machine.label))</text>
              <text x="37" y="22" text-anchor="middle" font-family="sans-serif" font-size="4" fill="#4a5866">\(Self.escaped(machine.location))</text>
              <svg x="12" y="26" width="50" height="50" viewBox="0 0 \(side) \(side)" shape-rendering="crispEdges">
                <rect width="\(side)" height="\(side)" fill="#fff"/>
                <path d="\(path)" fill="#000"/>
              </svg>
              <text x="37" y="84" text-anchor="middle" font-family="sans-serif" font-size="4.5" fill="#1a2530">Scan to start \(Self.escaped(machine.id))</text>
              <text x="37" y="92" text-anchor="middle" font-family="monospace" font-size="2.8" fill="#4a5866">\(Self.escaped(url))</text>
            </svg>

            """
    }

    /// Text as SVG character data: an admin's label may hold `<` or `&`.
    static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
