import CQRencode
import Foundation

/// A QR code from libqrencode: a square of modules, dark or light.
struct QRCode {
    /// Modules per side, without the quiet zone.
    let size: Int
    private let modules: [Bool]

    struct EncodingFailed: Error, CustomStringConvertible {
        var text: String
        var description: String { "libqrencode could not encode \(text.count) characters" }
    }

    /// The smallest code that holds `text` as bytes, with error correction level M (15%):
    /// a label gets scuffed and splashed.
    init(_ text: String) throws {
        guard let code = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1) else { throw EncodingFailed(text: text) }
        defer { QRcode_free(code) }
        size = Int(code.pointee.width)
        // Bit 0 of each byte is the module's colour; the other bits say what the module is for.
        modules = (0..<size * size).map { code.pointee.data[$0] & 1 == 1 }
    }

    func isDark(x: Int, y: Int) -> Bool { modules[y * size + x] }
}
