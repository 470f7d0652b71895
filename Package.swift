// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "washboard",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "washboard", targets: ["UsageApp"])
    ],
    dependencies: [
        // `traits: []`: the default traits pass -D flags in an unstable order, which
        // recompiles Hummingbird whenever `swift build` and `swift test` alternate.
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1", traits: []),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket.git", from: "2.8.1"),
        // The authenticated request context and the authenticator middleware protocol.
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        // Already in the graph through Hummingbird; named because UsageApp uses their types directly.
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        // PostgreSQL for several server instances; NIOSSL for its TLS settings.
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        // Already in the graph through hummingbird-websocket's permessage-deflate; the live board
        // compresses each frame once with it (LiveDeflate).
        .package(url: "https://github.com/adam-fowler/compress-nio.git", from: "1.3.0"),
    ],
    targets: [
        .target(
            name: "DeviceState",
            dependencies: [
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "Notify",
            dependencies: [
                "DeviceState",
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        // What clients send, decoded: the live socket's messages and the REST bodies. Apart from
        // UsageApp so that the fuzz target (Tests/Fuzz) can link it.
        .target(name: "Wire", dependencies: ["DeviceState"], path: "Sources/UsageApp/Wire"),
        .executableTarget(
            name: "UsageApp",
            dependencies: [
                "DeviceState",
                "Notify",
                "Wire",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "HummingbirdAuth", package: "hummingbird-auth"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "CompressNIO", package: "compress-nio"),
                "CQRencode",
            ],
            exclude: ["CQRencode", "Wire"],
            // docs/openapi.yaml and fixtures/demo-dorm.json are symlinks to these files.
            resources: [.copy("Resources/openapi.yaml"), .copy("Resources/demo-dorm.json"), .copy("Resources/Public")]
        ),
        // QR codes for the machine labels, from the system like SQLite (Debian: libqrencode-dev).
        .systemLibrary(
            name: "CQRencode", path: "Sources/UsageApp/CQRencode", pkgConfig: "libqrencode",
            providers: [.apt(["libqrencode-dev"])]),
        .testTarget(name: "DeviceStateTests", dependencies: ["DeviceState", "PostgresTestCluster"]),
        // A throwaway PostgreSQL cluster for the tests of one process.
        .target(
            name: "PostgresTestCluster",
            dependencies: [
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/PostgresTestCluster"
        ),
        // A push service on loopback that checks VAPID and decrypts independently of Notify,
        // for the tests and Benchmarks/PushBench.
        .target(
            name: "WebPushTestService",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/WebPushTestService"
        ),
        // A year of a dorm on SQLite, for the database size the retention leaves (BENCHMARKS.md).
        .executableTarget(
            name: "YearSim",
            dependencies: ["DeviceState", "Notify", .product(name: "GRDB", package: "GRDB.swift")],
            path: "Benchmarks/YearSim"
        ),
        .executableTarget(
            name: "PushBench",
            dependencies: [
                "Notify", "DeviceState", "WebPushTestService", .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/PushBench"
        ),
        // libFuzzer's target for Wire, built and run by scripts/fuzz; a plain build replays files.
        .executableTarget(name: "WireFuzz", dependencies: ["Wire", "DeviceState"], path: "Tests/Fuzz/WireFuzz"),
        .testTarget(
            name: "NotifyTests",
            dependencies: ["Notify", "DeviceState", "WebPushTestService", .product(name: "Logging", package: "swift-log")]
        ),
        .testTarget(
            name: "UsageAppTests",
            dependencies: [
                "UsageApp",
                "DeviceState",
                "Notify",
                "WebPushTestService",
                "PostgresTestCluster",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "HummingbirdWSCompression", package: "hummingbird-websocket"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
