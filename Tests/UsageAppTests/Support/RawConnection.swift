import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A TCP connection to the server on a plain socket, for what no HTTP client will do:
/// send half a request and stop, or stay silent.
///
/// Its reads block a thread of their own: on the cooperative pool (as wide as the cores)
/// they would starve the server under test, whose handlers run there too.
final class RawConnection: @unchecked Sendable {
    let fd: Int32

    /// Connects; reads wait at most `timeout` seconds before giving up.
    init(port: Int, timeout: Int = 15) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var limit = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        try connectToLoopback(fd, port: port)
    }

    func send(_ text: String) {
        _ = text.withCString { Glibc.send(fd, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
    }

    /// Everything the server sends until it closes the connection, or nil if it did not close in time.
    func readUntilClosed() async -> String? {
        await onOwnThread { self.blockingReadUntilClosed() }
    }

    /// Reads one response whose head and body (by `content-length`) have arrived.
    func readResponse() async -> String? {
        await onOwnThread { self.blockingReadResponse() }
    }

    private func blockingReadUntilClosed() -> String? {
        var data = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = recv(fd, &buffer, buffer.count, 0)
            if count == 0 { return String(decoding: data, as: UTF8.self) }
            if count < 0 { return errno == ECONNRESET ? String(decoding: data, as: UTF8.self) : nil }
            data.append(contentsOf: buffer[0..<count])
        }
    }

    private func blockingReadResponse() -> String? {
        var data = [UInt8]()
        var byte: UInt8 = 0
        while true {
            guard recv(fd, &byte, 1, 0) == 1 else { return nil }
            data.append(byte)
            let text = String(decoding: data, as: UTF8.self)
            guard let headEnd = text.range(of: "\r\n\r\n") else { continue }
            let length =
                text[..<headEnd.lowerBound].split(separator: "\r\n")
                .first { $0.lowercased().hasPrefix("content-length:") }
                .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
            if text.utf8.count - text[..<headEnd.upperBound].utf8.count >= length { return text }
        }
    }

    deinit { close(fd) }
}

/// Runs `body` on a new thread, off the cooperative pool.
func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        Thread.detachNewThread { continuation.resume(returning: body()) }
    }
}
