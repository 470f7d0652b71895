import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Connects `fd` to 127.0.0.1:`port`.
func connectToLoopback(_ fd: Int32, port: Int) throws {
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard connected == 0 else { throw RawWebSocket.Failure("connect to port \(port) failed") }
}

/// A WebSocket client on a plain socket with a tiny receive buffer that completes the
/// handshake and then reads nothing until told to: the slowest client there is.
/// (A client library would buffer frames in memory and never push back.)
final class RawWebSocket: @unchecked Sendable {
    let fd: Int32
    /// The server's answer to the upgrade, head only.
    let handshake: String

    /// `extensions`: a `Sec-WebSocket-Extensions` offer, as a browser sends it.
    init(port: Int, token: String, extensions: String? = nil) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.fd = fd
        var bufferSize: Int32 = 2048
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bufferSize, socklen_t(MemoryLayout<Int32>.size))
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        try connectToLoopback(fd, port: port)
        let request =
            "GET /ws HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
            + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nAuthorization: Bearer \(token)\r\n"
            + (extensions.map { "Sec-WebSocket-Extensions: \($0)\r\n" } ?? "") + "\r\n"
        _ = request.withCString { send(fd, $0, strlen($0), 0) }
        var head = [UInt8]()
        var byte: UInt8 = 0
        while !head.hasSuffix(Array("\r\n\r\n".utf8)) {
            guard recv(fd, &byte, 1, 0) == 1 else { throw Failure("no handshake response") }
            head.append(byte)
        }
        handshake = String(decoding: head, as: UTF8.self)
        guard handshake.hasPrefix("HTTP/1.1 101") else { throw Failure("upgrade refused") }
    }

    /// Connects on a thread of its own: the handshake blocks, and the server's session lookup
    /// needs the cooperative pool the tests run on.
    static func open(port: Int, token: String, extensions: String? = nil) async throws -> RawWebSocket {
        try await onOwnThread { Result { try RawWebSocket(port: port, token: token, extensions: extensions) } }.get()
    }

    /// One whole server frame: whether it is compressed (RSV1), its opcode, its payload.
    func readFrame() throws -> (compressed: Bool, opcode: UInt8, payload: [UInt8]) {
        let header = try read(2)
        var length = Int(header[1] & 0x7f)
        if length >= 126 { length = try read(length == 126 ? 2 : 8).reduce(0) { $0 << 8 | Int($1) } }
        return (header[0] & 0x40 != 0, header[0] & 0x0f, try read(length))
    }

    private func read(_ count: Int) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let got = bytes[filled...].withUnsafeMutableBytes { recv(fd, $0.baseAddress, count - filled, 0) }
            guard got > 0 else { throw Failure("the connection ended") }
            filled += got
        }
        return bytes
    }

    /// Waits for the server's first frame (`hello`): the connection is then registered.
    func awaitFirstFrame() throws {
        var byte: UInt8 = 0
        guard recv(fd, &byte, 1, 0) == 1 else { throw Failure("no frame after the handshake") }
    }

    /// Reads until the server closes the connection; returns the code of the close frame, if one came.
    func readCloseCode() -> UInt16? {
        while let frame = try? readFrame() {
            if frame.opcode == 0x8, frame.payload.count >= 2 { return UInt16(frame.payload[0]) << 8 | UInt16(frame.payload[1]) }
        }
        return nil
    }

    deinit { close(fd) }

    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }
}

extension [UInt8] {
    fileprivate func hasSuffix(_ suffix: [UInt8]) -> Bool {
        count >= suffix.count && Array(self[(count - suffix.count)...]) == suffix
    }
}
