import CompressNIO
import HummingbirdWSCompression
import HummingbirdWebSocket
import NIOWebSocket

/// permessage-deflate as every browser offers it, with one change: a message that inflates
/// past the limit (a deflate bomb, or only a large message) closes the connection with 1009,
/// as it does without compression. The library reports a decompression failure as 1011; it
/// maps a frame that is too long to 1009, so that is what an overflow becomes here.
struct BoundedDeflate: WebSocketExtensionBuilder {
    static let name = "permessage-deflate"
    let deflate: any WebSocketExtensionBuilder

    static func factory(maxMessageBytes: Int) -> WebSocketExtensionFactory {
        .init {
            BoundedDeflate(
                deflate: WebSocketExtensionFactory.perMessageDeflate(maxDecompressedFrameSize: maxMessageBytes).build())
        }
    }

    func clientRequestHeader() -> String { deflate.clientRequestHeader() }

    func serverReponseHeader(to request: WebSocketExtensionHTTPParameters) -> String? {
        deflate.serverReponseHeader(to: request)
    }

    func serverExtension(from request: WebSocketExtensionHTTPParameters) throws -> (any WebSocketExtension)? {
        try deflate.serverExtension(from: request).map(TooLargeOnOverflow.init)
    }

    func clientExtension(from response: WebSocketExtensionHTTPParameters) throws -> (any WebSocketExtension)? {
        try deflate.clientExtension(from: response).map(TooLargeOnOverflow.init)
    }

    struct TooLargeOnOverflow: WebSocketExtension {
        let deflate: any WebSocketExtension

        var name: String { deflate.name }
        var reservedBits: WebSocketFrame.ReservedBits { deflate.reservedBits }

        func processReceivedFrame(_ frame: WebSocketFrame, context: WebSocketExtensionContext) async throws -> WebSocketFrame {
            do {
                return try await deflate.processReceivedFrame(frame, context: context)
            } catch let error as CompressNIOError where error == .bufferOverflow {
                throw NIOWebSocketError.invalidFrameLength
            }
        }

        func processFrameToSend(_ frame: WebSocketFrame, context: WebSocketExtensionContext) async throws -> WebSocketFrame {
            try await deflate.processFrameToSend(frame, context: context)
        }

        func shutdown() async { await deflate.shutdown() }
    }
}
