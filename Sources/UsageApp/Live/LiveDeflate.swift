import CompressNIO
import HTTPTypes
import HummingbirdWebSocket
import NIOCore
import Synchronization

/// permessage-deflate (RFC 7692) without context takeover in either direction.
///
/// Every browser offers the extension. With context takeover, each connection would need a
/// compressor of its own (zlib's deflate state is about 256 KB) and each frame would be
/// compressed once per recipient. Without it every message stands alone, so a frame is
/// compressed once, when it is published, and the same bytes go to every connection that
/// negotiated the extension; client messages are inflated by one decompressor per event
/// loop. The price is a weaker ratio on small frames, which are short JSON anyway: frames
/// under ``minimumBytes`` go uncompressed (the extension allows that message by message).
final class LiveDeflate: Sendable {
    static let shared = LiveDeflate()

    /// The answer to an offer the server agrees to; §7.1.1 lets the server ask for both
    /// parameters whether or not the client offered them.
    static let agreement = "permessage-deflate; server_no_context_takeover; client_no_context_takeover"
    static let minimumBytes = 256

    private let compressor: Mutex<ZlibCompressor>

    private init() {
        // Window 15 and memory level 8 are zlib's defaults; the only instance in the process.
        compressor = Mutex(try! ZlibCompressor(algorithm: .deflate, configuration: .init()))
    }

    /// Whether the client offered permessage-deflate in a form this server can agree to. An
    /// offer limiting the server's window below zlib's 15 bits is declined: frames are then plain.
    static func isOffered(in headers: HTTPFields) -> Bool {
        WebSocketExtensionHTTPParameters.parseHeaders(headers).contains { offer in
            // RFC 7692 §7: an offer with a parameter the server does not know is declined.
            guard offer.name == "permessage-deflate", Set(offer.parameters.keys).isSubset(of: knownParameters) else {
                return false
            }
            guard let serverWindow = offer.parameters["server_max_window_bits"] else { return true }
            return serverWindow.integer == 15
        }
    }

    private static let knownParameters: Set = [
        "server_no_context_takeover", "client_no_context_takeover", "server_max_window_bits", "client_max_window_bits",
    ]

    /// The message compressed on its own, without the sync flush's trailing `00 00 ff ff`
    /// (§7.2.1); nil when it is short or would not shrink.
    func compress(_ message: ByteBuffer) -> ByteBuffer? {
        guard message.readableBytes >= Self.minimumBytes else { return nil }
        return compressor.withLock { compressor -> ByteBuffer? in
            var input = message
            var output = ByteBuffer()
            output.reserveCapacity(compressor.maxSize(from: input))
            do {
                try compressor.reset()
                try compressor.deflate(from: &input, to: &output, flush: .sync)
            } catch {
                return nil
            }
            guard output.readableBytes > 4, output.readableBytes - 4 < message.readableBytes else { return nil }
            // A tight copy: the ring keeps thousands of these.
            return ByteBuffer(bytes: output.readableBytesView.dropLast(4))
        }
    }
}

/// Inflates client messages of one event loop's connections, one message at a time.
final class LiveInflater {
    private let decompressor: ZlibDecompressor

    enum Failure: Error {
        /// The message inflates past the limit (close 1009).
        case tooLarge
        /// It is not a deflate stream (close 1007).
        case corrupt
    }

    init() {
        decompressor = try! ZlibDecompressor(algorithm: .deflate, windowSize: 15)
    }

    func inflate(_ message: ByteBuffer, maxBytes: Int) throws(Failure) -> ByteBuffer {
        var input = message
        input.writeBytes([0x00, 0x00, 0xFF, 0xFF])
        defer { try? decompressor.reset() }
        do {
            // One byte of room: CompressNIO calls a buffer filled to the last byte an overflow.
            let message = try input.decompressStream(with: decompressor, maxSize: maxBytes + 1)
            guard message.readableBytes <= maxBytes else { throw Failure.tooLarge }
            return message
        } catch let error as Failure {
            throw error
        } catch let error as CompressNIOError where error == .bufferOverflow {
            throw .tooLarge
        } catch {
            throw .corrupt
        }
    }
}
