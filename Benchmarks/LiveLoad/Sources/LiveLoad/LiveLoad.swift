import ArgumentParser
import Foundation
import HummingbirdWSClient
import Logging
import Synchronization

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Holds N idle live connections, makes one board change per interval through the REST API,
/// and measures for each change how long until every connection had it; also the server's
/// CPU per delivered frame and resident memory per connection (from /proc).
///
/// With several servers (`--port` and `--server-pid` repeated, instances on one database),
/// the connections are spread over them in turn and the changes go through the first; CPU
/// and memory are the sum over the servers given.
@main
struct LiveLoad: AsyncParsableCommand {
    @Option(help: "A server's port on 127.0.0.1 (repeatable).") var port: [Int]
    @Option(help: "A resident's bearer token.") var token: String
    @Option(help: "A server's process id, for /proc (repeatable); also database processes to charge.")
    var serverPid: [Int32]
    @Option(help: "Connections to hold.") var connections = 1000
    @Option(help: "Board changes to make, one per interval.") var changes = 30
    @Option(help: "Seconds between changes.") var interval = 1.0
    @Option(help: "The machine to start and collect.") var machine = "W1"

    func run() async throws {
        let stats = Arrivals()
        let baseline = try Proc.residentBytes(serverPid)
        let logger = Logger(label: "live-load")
        let clients = Task {
            await withDiscardingTaskGroup { group in
                for index in 0..<connections {
                    let port = self.port[index % self.port.count]
                    group.addTask { await connect(to: port, stats: stats, logger: logger) }
                    if index % 100 == 99 {
                        // Ramp up in steps so the accept queue never overflows.
                        while stats.connected < index - 200 { try? await Task.sleep(for: .milliseconds(5)) }
                    }
                }
            }
        }
        let rampDeadline = ContinuousClock.now + .seconds(120)
        while stats.connected < connections, ContinuousClock.now < rampDeadline { try await Task.sleep(for: .milliseconds(50)) }
        guard stats.connected == connections else { throw ValidationError("only \(stats.connected) of \(connections) connected") }
        try await Task.sleep(for: .seconds(2))
        let connectedRSS = try Proc.residentBytes(serverPid)
        let cpuBefore = try Proc.cpuSeconds(serverPid)

        var useId: String?
        var lastClient: [Double] = []
        var allDeliveries: [Double] = []
        for _ in 0..<changes {
            let sent = DispatchTime.now().uptimeNanoseconds
            let (seq, newUse) = try await change(openUse: useId)
            useId = newUse
            let deadline = ContinuousClock.now + .seconds(10)
            while stats.count(seq) < connections, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(1)) }
            let arrivals = stats.take(seq).map { Double($0 &- sent) / 1e6 }
            guard arrivals.count == connections else { throw ValidationError("change \(seq) reached \(arrivals.count) of \(connections)") }
            lastClient.append(arrivals.max() ?? 0)
            allDeliveries.append(contentsOf: arrivals)
            try await Task.sleep(for: .seconds(interval))
        }
        let cpuAfter = try Proc.cpuSeconds(serverPid)
        // Idle time between changes costs a little CPU too (pings, timers): charged to frames, an upper bound.
        let cpuPerFrame = (cpuAfter - cpuBefore) / Double(changes * connections) * 1e6
        let summary: [String: Any] = [
            "connections": connections, "changes": changes,
            "lastClientLatencyMs": ["p50": percentile(lastClient, 50), "p99": percentile(lastClient, 99), "max": lastClient.max() ?? 0],
            "deliveryLatencyMs": ["p50": percentile(allDeliveries, 50), "p99": percentile(allDeliveries, 99)],
            "serverCPUMicrosecondsPerFrame": (cpuPerFrame * 100).rounded() / 100,
            "serverRSSBytesPerConnection": (connectedRSS - baseline) / connections,
            "serverRSSMegabytes": ["before": baseline >> 20, "connected": connectedRSS >> 20],
        ]
        let json = try JSONSerialization.data(withJSONObject: summary, options: [.prettyPrinted, .sortedKeys])
        print(String(decoding: json, as: UTF8.self))
        clients.cancel()
        Foundation.exit(0)
    }

    /// One idle connection: counts its hello, records when each machine frame arrives.
    func connect(to port: Int, stats: Arrivals, logger: Logger) async {
        do {
            try await WebSocketClient.connect(
                url: "ws://127.0.0.1:\(port)/ws",
                configuration: .init(maxFrameSize: 1 << 20, additionalHeaders: [.authorization: "Bearer \(token)"]),
                logger: logger
            ) { inbound, _, _ in
                for try await message in inbound.messages(maxSize: 1 << 20) {
                    guard case .text(let text) = message else { continue }
                    if text.hasSuffix(#""type":"hello"}"#) {
                        stats.connectedOne()
                    } else if text.hasPrefix(#"{"type":"machine","seq":"#) {
                        let digits = text.dropFirst(#"{"type":"machine","seq":"#.count).prefix { $0.isNumber }
                        if let seq = Int64(digits) { stats.arrived(seq, at: DispatchTime.now().uptimeNanoseconds) }
                    }
                }
            }
        } catch {
            FileHandle.standardError.write(Data("connection failed: \(error)\n".utf8))
        }
    }

    struct Created: Decodable { var id: String }

    /// Starts the machine, or collects the use started last time; returns the seq it made and the open use.
    func change(openUse: String?) async throws -> (Int64, String?) {
        let path = openUse.map { "/api/uses/\($0)/collect" } ?? "/api/machines/\(machine)/uses"
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port[0])\(path)")!)
        request.httpMethod = "POST"
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        let (body, response) = try await URLSession.shared.data(for: request)
        guard let status = (response as? HTTPURLResponse)?.statusCode, status == 200 || status == 201 else {
            throw ValidationError("the change failed: \(String(decoding: body, as: UTF8.self))")
        }
        let seq = try await headSeq()
        return (seq, openUse == nil ? try JSONDecoder().decode(Created.self, from: body).id : nil)
    }

    struct Health: Decodable { var seq: Int64 }

    func headSeq() async throws -> Int64 {
        let (body, _) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port[0])/health")!)
        return try JSONDecoder().decode(Health.self, from: body).seq
    }
}

/// Arrival times of frames by seq, and the count of live connections.
final class Arrivals: Sendable {
    private let state = Mutex<(connected: Int, bySeq: [Int64: [UInt64]])>((0, [:]))
    var connected: Int { state.withLock { $0.connected } }
    func connectedOne() { state.withLock { $0.connected += 1 } }
    func arrived(_ seq: Int64, at time: UInt64) { state.withLock { $0.bySeq[seq, default: []].append(time) } }
    func count(_ seq: Int64) -> Int { state.withLock { $0.bySeq[seq]?.count ?? 0 } }
    func take(_ seq: Int64) -> [UInt64] { state.withLock { $0.bySeq.removeValue(forKey: seq) ?? [] } }
}

/// A process's CPU time and resident memory, from /proc.
struct Proc {
    let pid: Int32

    static func cpuSeconds(_ pids: [Int32]) throws -> Double { try pids.reduce(0) { try $0 + Proc(pid: $1).cpuSeconds } }
    static func residentBytes(_ pids: [Int32]) throws -> Int { try pids.reduce(0) { try $0 + Proc(pid: $1).residentBytes } }

    var cpuSeconds: Double {
        get throws {
            let stat = try String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
            let fields = stat[stat.index(after: stat.lastIndex(of: ")")!)...].split(separator: " ")
            // utime and stime are fields 14 and 15 of the whole line: 12 and 13 after the name.
            return (Double(fields[11])! + Double(fields[12])!) / Double(sysconf(Int32(_SC_CLK_TCK)))
        }
    }

    var residentBytes: Int {
        get throws {
            let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
            let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
            return (Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0) * 1024
        }
    }
}

func percentile(_ values: [Double], _ p: Double) -> Double {
    guard !values.isEmpty else { return 0 }
    let sorted = values.sorted()
    let value = sorted[min(sorted.count - 1, Int((p / 100 * Double(sorted.count - 1)).rounded()))]
    return (value * 100).rounded() / 100
}
