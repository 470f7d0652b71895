import ArgumentParser
import Foundation
import NIOCore
import NIOPosix

/// Holds N idle live connections, makes one board change per interval through the REST API,
/// and measures for each change how long until every connection had it; also the server's
/// CPU per delivered frame and resident memory per connection (from /proc), and its own CPU.
///
/// The client is raw SwiftNIO on ONE event loop (it is pinned to one core): one small handler
/// per connection, frames' kind and seq found by scanning bytes, stats confined to the loop.
/// With WSClient (a task and an actor per connection) the client cost tens of µs per frame
/// and, at 10k sockets, would have dominated the latency it measures.
///
/// With several servers (`--port` and `--server-pid` repeated, instances on one database),
/// the connections are spread over them in turn and the changes go through the first; CPU
/// and memory are the sum over the servers given.
///
/// `--storm`: then sends SIGTERM to the server, waits for it to exit and for a new one on the
/// same port (Benchmarks/live-run starts it and writes its pid to `--pid-file`), and measures
/// the reconnect storm: every connection at once with `since`, plus one `GET /api/board`
/// each, one change once 10% have their hello, and how long until every client has it.
@main
struct LiveLoad: ParsableCommand {
    @Option(help: "A server's port on 127.0.0.1 (repeatable).") var port: [Int]
    @Option(help: "A resident's bearer token.") var token: String
    @Option(help: "A server's process id, for /proc (repeatable); also database processes to charge.")
    var serverPid: [Int32]
    @Option(help: "Connections to hold.") var connections = 1000
    @Option(help: "Board changes to make, one per interval.") var changes = 30
    @Option(help: "Seconds between changes.") var interval = 1.0
    @Option(help: "The machine to start and collect.") var machine = "W1"
    @Flag(help: "Offer permessage-deflate as Chrome does.") var deflate = false
    @Flag(help: "Ask for batched frames (batch=1 on the socket's URL).") var batch = false
    @Flag(help: "After the changes, stop the server and measure the reconnect storm (needs --pid-file).")
    var storm = false
    @Option(help: "Where the new server's pid appears after the storm's restart.") var pidFile: String?
    @Option(help: "Connections waiting for their hello at once while ramping up.") var rampWindow = 200
    @Option(help: "GET /api/board requests in flight at once during the storm.") var stormBoardConcurrency = 2000
    @Option(help: "Seconds to wait for the storm to settle.") var stormTimeout = 30.0

    func validate() throws {
        guard port.count >= 1, serverPid.count >= 1 else { throw ValidationError("--port and --server-pid are needed") }
        if storm {
            guard port.count == 1, pidFile != nil else { throw ValidationError("--storm needs one --port and --pid-file") }
        }
    }

    func run() throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        let load = try Load(
            loop: loop,
            settings: .init(
                ports: port, token: token, connections: connections, deflate: deflate, batch: batch,
                rampWindow: rampWindow, retryDelay: .milliseconds(100), maxFrameSize: 1 << 22,
                stormBoardConcurrency: stormBoardConcurrency))
        let baseline = try Proc.residentBytes(serverPid)

        // Ramp up.
        let rampStarted = now()
        let clientCPUAtStart = try Proc.current.cpuSeconds
        try loop.submit { load.pump() }.wait()
        let everyone = connections
        guard try waitUntil(load, timeout: .seconds(Int64(120 + connections / 100)), { load.live == everyone }) else {
            let (live, failures) = try loop.submit { (load.live, load.failures) }.wait()
            throw ValidationError("only \(live) of \(connections) connected; failures \(failures)")
        }
        let rampSeconds = Double(now() - rampStarted) / 1e9
        let rampClientCPU = try Proc.current.cpuSeconds - clientCPUAtStart
        try loop.submit { load.phase = .steady }.wait()
        Thread.sleep(forTimeInterval: 2)
        let connectedRSS = try Proc.residentBytes(serverPid)
        let cpuBefore = try Proc.cpuSeconds(serverPid)
        let clientCPUBefore = try Proc.current.cpuSeconds
        let framesBefore = try loop.submit { (load.messages, load.machineFrames) }.wait()

        var useId: String?
        var lastClient: [Double] = []
        var allDeliveries: [Double] = []
        for _ in 0..<changes {
            let (seq, sent, newUse) = try change(openUse: useId, on: loop)
            useId = newUse
            _ = try waitUntil(load, timeout: .seconds(10)) { load.bySeq[seq]?.count ?? 0 >= everyone }
            let arrivals = try loop.submit { load.bySeq.removeValue(forKey: seq) ?? [] }.wait()
                .map { Double($0 &- sent) / 1e6 }
            guard arrivals.count == connections else { throw ValidationError("change \(seq) reached \(arrivals.count) of \(connections)") }
            lastClient.append(arrivals.max() ?? 0)
            allDeliveries.append(contentsOf: arrivals)
            Thread.sleep(forTimeInterval: interval)
        }
        let cpuAfter = try Proc.cpuSeconds(serverPid)
        let clientCPU = try Proc.current.cpuSeconds - clientCPUBefore
        let framesAfter = try loop.submit { (load.messages, load.machineFrames) }.wait()
        let delivered = Double(max(1, changes * connections))
        // Idle time between changes costs a little CPU too (pings, timers): charged to frames, an upper bound.
        let cpuPerFrame = (cpuAfter - cpuBefore) / delivered * 1e6
        var summary: [String: Any] = [
            "connections": connections, "changes": changes, "batch": batch,
            "rampSeconds": rounded(rampSeconds),
            "clientCPUSecondsDuringRamp": rounded(rampClientCPU),
            "lastClientLatencyMs": ["p50": percentile(lastClient, 50), "p99": percentile(lastClient, 99), "max": rounded(lastClient.max() ?? 0)],
            "deliveryLatencyMs": ["p50": percentile(allDeliveries, 50), "p99": percentile(allDeliveries, 99)],
            "serverCPUMicrosecondsPerFrame": rounded(cpuPerFrame),
            "serverRSSBytesPerConnection": (connectedRSS - baseline) / connections,
            "serverRSSMegabytes": ["before": baseline >> 20, "connected": connectedRSS >> 20],
            "clientCPUSecondsDuringChanges": rounded(clientCPU),
            "clientCPUMicrosecondsPerFrame": rounded(clientCPU / delivered * 1e6),
            // During the changes: WebSocket messages, and machine frames (also those inside batches).
            "messagesPerConnection": rounded(Double(framesAfter.0 - framesBefore.0) / Double(connections)),
            "machineFramesPerConnection": rounded(Double(framesAfter.1 - framesBefore.1) / Double(connections)),
        ]
        summary.merge(try loop.submit { Unchecked(connectionReport(load)) }.wait().value) { $1 }

        var metricLines: [String] = []
        if storm {
            let (report, lines) = try measureStorm(load, openUse: useId)
            summary["storm"] = report
            metricLines = lines
        }
        let json = try JSONSerialization.data(withJSONObject: summary, options: [.prettyPrinted, .sortedKeys])
        print(String(decoding: json, as: UTF8.self))
        if storm {
            print("# the new server's /metrics after the storm: washboard_live_* and washboard_board_*")
            for line in metricLines { print(line) }
        }
        fflush(nil)
        Foundation.exit(0)
    }

    /// Deflate, failures and closes so far (on the loop).
    func connectionReport(_ load: Load) -> [String: Any] {
        var deflateReport: [String: Any] = ["offered": deflate, "negotiatedConnections": load.deflateNegotiated]
        if let response = load.deflateResponse, let parameters = PerMessageDeflate(response) {
            deflateReport["response"] = response
            deflateReport["serverNoContextTakeover"] = parameters.serverNoContextTakeover
            deflateReport["clientNoContextTakeover"] = parameters.clientNoContextTakeover
            deflateReport["serverMaxWindowBits"] = parameters.serverMaxWindowBits ?? NSNull()
            deflateReport["clientMaxWindowBits"] = parameters.clientMaxWindowBits ?? NSNull()
            // One decompressor per connection when the server keeps its context, else one shared.
            deflateReport["clientDecompressors"] = parameters.serverNoContextTakeover ? 1 : load.ownDecompressors
        }
        if load.inflateErrors > 0 { deflateReport["inflateErrors"] = load.inflateErrors }
        return [
            "deflate": deflateReport,
            "connectFailures": load.failures, "retries": load.retries, "unexpectedLosses": load.unexpectedLosses,
            "pingsAnswered": load.pingsAnswered,
        ]
    }

    // MARK: changes

    /// Starts the machine, or collects the use started last time; returns the seq it made, when
    /// the request was written, and the open use.
    func change(openUse: String?, on loop: EventLoop) throws -> (seq: Int64, sent: UInt64, openUse: String?) {
        let path = openUse.map { "/api/uses/\($0)/collect" } ?? "/api/machines/\(machine)/uses"
        let reply = try OneShotHTTP.request(.POST, path, port: port[0], token: token, on: loop).wait()
        guard reply.status == 200 || reply.status == 201 else {
            throw ValidationError("the change failed (\(reply.status)): \(reply.text)")
        }
        let seq = try headSeq(on: loop)
        guard openUse == nil else { return (seq, reply.sentAt, nil) }
        guard let created = try JSONSerialization.jsonObject(with: Data(reply.text.utf8)) as? [String: Any],
            let id = created["id"] as? String
        else { throw ValidationError("no use id in \(reply.text)") }
        return (seq, reply.sentAt, id)
    }

    func headSeq(on loop: EventLoop) throws -> Int64 {
        let reply = try OneShotHTTP.request(.GET, "/health", port: port[0], on: loop).wait()
        guard reply.status == 200, let health = try JSONSerialization.jsonObject(with: Data(reply.text.utf8)) as? [String: Any],
            let seq = (health["seq"] as? NSNumber)?.int64Value
        else { throw ValidationError("/health answered \(reply.status): \(reply.text)") }
        return seq
    }

    // MARK: the storm

    func measureStorm(_ load: Load, openUse: String?) throws -> (report: [String: Any], metrics: [String]) {
        let loop = load.loop
        let oldPid = serverPid[0]
        let everyone = connections
        try loop.submit { load.phase = .down }.wait()
        let clientCPUBefore = try Proc.current.cpuSeconds
        let killedAt = now()
        guard kill(oldPid, SIGTERM) == 0 else { throw ValidationError("cannot signal \(oldPid)") }
        while !Proc(pid: oldPid).hasExited {
            guard now() - killedAt < 60_000_000_000 else { throw ValidationError("the server did not exit within 60 s") }
            usleep(2_000)
        }
        let exitedAt = now()
        // Its sockets are all gone with it; let the loop read every close.
        _ = try waitUntil(load, timeout: .seconds(5)) { load.live == 0 }
        let closesAtExit = try loop.submit { load.closeCodes }.wait()

        // The script starts the new server on the same port: poll /health until it answers.
        while true {
            if let reply = try? OneShotHTTP.request(.GET, "/health", port: port[0], on: loop, connectTimeout: .milliseconds(200)).wait(),
                reply.status == 200
            {
                break
            }
            guard now() - exitedAt < 60_000_000_000 else { throw ValidationError("no new server within 60 s") }
            usleep(5_000)
        }
        let upAt = now()
        let clientCPUAtUp = try Proc.current.cpuSeconds
        try loop.submit {
            load.failures = [:]
            load.retries = 0
            load.unexpectedLosses = 0
            load.startStorm()
        }.wait()
        let newPid = try readNewPid(old: oldPid)
        let serverCPUBefore = (try? Proc(pid: newPid).cpuSeconds) ?? 0

        // One change once a tenth have their hello.
        let tenth = max(1, connections / 10)
        _ = try waitUntil(load, timeout: .seconds(Int64(stormTimeout))) { load.stormHellos >= tenth }
        let hellosAtChange = try loop.submit { load.stormHellos }.wait()
        let (seq, sent, _) = try change(openUse: openUse, on: loop)
        try loop.submit { load.setStormTarget(seq) }.wait()
        let allCurrent = try waitUntil(load, timeout: .seconds(Int64(stormTimeout))) { load.stormCurrent >= everyone }
        _ = try waitUntil(load, timeout: .seconds(5)) { load.live >= everyone }
        _ = try waitUntil(load, timeout: .seconds(Int64(stormTimeout))) { load.boardOK >= everyone }
        let settledAt = now()
        let serverCPU = ((try? Proc(pid: newPid).cpuSeconds) ?? 0) - serverCPUBefore
        let clientCPUNow = try Proc.current.cpuSeconds
        let clientCPU = clientCPUNow - clientCPUBefore
        let reconnectCPU = clientCPUNow - clientCPUAtUp
        let rss = (try? Proc(pid: newPid).residentBytes) ?? 0

        let report: [String: Any] = try loop.submit { () -> Unchecked<[String: Any]> in
            // When each connection first had a seq at or past the change's.
            let current = load.conns.compactMap { conn in conn.progress.first { $0.seq >= seq }?.at }
            let start = load.stormStartedAt
            func ms(_ time: UInt64, from origin: UInt64) -> Double { rounded(Double(Int64(bitPattern: time &- origin)) / 1e6) }
            let connectSeconds = Double(load.stormLastHelloAt &- start) / 1e9
            // Where the time went, per connection (its last attempt): TCP connected, 101, hello.
            func spread(_ times: [UInt64]) -> [String: Double] {
                let values = times.filter { $0 != 0 }.map { Double(Int64(bitPattern: $0 &- start)) / 1e6 }
                return ["p50": percentile(values, 50), "p99": percentile(values, 99), "max": rounded(values.max() ?? 0)]
            }
            return Unchecked([
                "connections": everyone,
                "serverExitMs": ms(exitedAt, from: killedAt),
                "downMs": ms(upAt, from: killedAt),
                "closeCodesAtShutdown": Dictionary(uniqueKeysWithValues: closesAtExit.map { (String($0.key), $0.value) }),
                "resumedWithSince": load.stormResumes,
                "firstHelloMs": load.stormFirstHelloAt == 0 ? NSNull() : ms(load.stormFirstHelloAt, from: start),
                "lastHelloMs": ms(load.stormLastHelloAt, from: start),
                "hellos": load.stormHellos,
                "phasesMs": [
                    "tcpConnected": spread(load.conns.map(\.connectedAt)),
                    "upgraded": spread(load.conns.map(\.upgradedAt)),
                    "hello": spread(load.conns.map(\.helloAt)),
                ],
                // From the first connect attempt to the last hello.
                "acceptedPerSecond": connectSeconds > 0 ? Int(Double(load.stormHellos) / connectSeconds) : 0,
                "change": [
                    "seq": seq,
                    "sentAfterHellos": hellosAtChange,
                    "sentMs": ms(sent, from: start),
                    "clientsWithIt": current.count,
                    "allCurrent": allCurrent,
                    "toAllCurrentMs": current.isEmpty ? NSNull() : ms(current.max()!, from: sent),
                    "toCurrentMs": [
                        "p50": percentile(current.map { Double($0 &- sent) / 1e6 }, 50),
                        "p99": percentile(current.map { Double($0 &- sent) / 1e6 }, 99),
                    ],
                ] as [String: Any],
                // The goal: every client current within 5 s of the storm's start.
                "startToAllCurrentMs": current.isEmpty ? NSNull() : ms(current.max()!, from: start),
                "failures": load.failures,
                "retries": load.retries,
                "lossesAfterReconnect": load.unexpectedLosses,
                "boardRequests": [
                    "ok": load.boardOK, "failedAndRetried": load.boardFailed,
                    "statuses": Dictionary(uniqueKeysWithValues: load.boardStatuses.map { (String($0.key), $0.value) }),
                    "lastDoneMs": load.boardLastDoneAt == 0 ? NSNull() : ms(load.boardLastDoneAt, from: start),
                ] as [String: Any],
                "serverPid": Int(newPid),
                "serverCPUSeconds": rounded(serverCPU),
                "serverRSSMegabytesAfter": rss >> 20,
                "clientCPUSeconds": rounded(clientCPU),
                // From the new server's first answer on: a socket with its hello and board, a
                // GET, and the change; 1e6 / this is the most reconnects per second the client can make.
                "clientCPUMicrosecondsPerReconnect": Int(reconnectCPU / Double(everyone) * 1e6),
                // Near 1: the client's core was saturated, and the storm's pace may be the client's.
                "clientBusyFraction": rounded(clientCPU / max(1e-9, Double(settledAt &- killedAt) / 1e9)),
                "settledMs": ms(settledAt, from: start),
            ])
        }.wait().value

        let metrics = try OneShotHTTP.request(.GET, "/metrics", port: port[0], on: loop).wait()
        let lines = metrics.text.split(separator: "\n")
            .filter { $0.hasPrefix("washboard_live_") || $0.hasPrefix("washboard_board_") }
            .map(String.init)
        return (report, lines)
    }

    /// The pid the script wrote for the restarted server.
    func readNewPid(old: Int32) throws -> Int32 {
        let started = now()
        while now() - started < 10_000_000_000 {
            if let text = try? String(contentsOfFile: pidFile!, encoding: .utf8),
                let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)), pid != old
            {
                return pid
            }
            usleep(5_000)
        }
        throw ValidationError("no new pid in \(pidFile!) within 10 s")
    }
}

/// A JSON-ish value made on the loop and handed to the main thread, which alone uses it then.
struct Unchecked<Value>: @unchecked Sendable {
    var value: Value
    init(_ value: Value) { self.value = value }
}

/// Waits on the calling thread until `condition` (checked on the loop every millisecond) holds;
/// false after `timeout`.
func waitUntil(_ load: Load, timeout: TimeAmount, _ condition: @escaping @Sendable () -> Bool) throws -> Bool {
    let loop = load.loop
    let deadline = NIODeadline.now() + timeout
    return try loop.flatSubmit { () -> EventLoopFuture<Bool> in
        if condition() { return loop.makeSucceededFuture(true) }
        let promise = loop.makePromise(of: Bool.self)
        loop.scheduleRepeatedTask(initialDelay: .milliseconds(1), delay: .milliseconds(1)) { task in
            if condition() {
                promise.succeed(true)
                task.cancel()
            } else if NIODeadline.now() >= deadline {
                promise.succeed(false)
                task.cancel()
            }
        }
        return promise.futureResult
    }.wait()
}
