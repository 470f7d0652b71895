import Foundation

// The fuzz target of the decoders of what clients send (`WireChecks`). `scripts/fuzz` builds
// it with `--sanitize fuzzer -Xswiftc -DLIBFUZZER`: libFuzzer brings `main` and calls the
// function below with each input it makes. Built without the fuzzer (`swift build`), it is a
// command that runs the same checks on the files and folders it is given, e.g. a crash that
// libFuzzer saved: `swift run WireFuzz crash-…`.

/// libFuzzer's entry point: one input; a broken promise stops the process.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    WireChecks.check(UnsafeBufferPointer(start: bytes, count: bytes == nil ? 0 : count))
    return 0
}

#if !LIBFUZZER
    @main
    enum Replay {
        static func main() throws {
            let paths = CommandLine.arguments.dropFirst()
            guard !paths.isEmpty else {
                FileHandle.standardError.write(Data("usage: WireFuzz FILE_OR_FOLDER…\n".utf8))
                exit(64)
            }
            var count = 0
            for path in paths {
                for file in try files(at: URL(fileURLWithPath: path)) {
                    // Named first, so that a failing check shows which file it was.
                    print(file.path)
                    WireChecks.check(try Data(contentsOf: file))
                    count += 1
                }
            }
            print("\(count) inputs checked")
        }

        private static func files(at url: URL) throws -> [URL] {
            guard (try url.resourceValues(forKeys: [.isDirectoryKey])).isDirectory == true else { return [url] }
            return try FileManager.default.contentsOfDirectory(at: url, includingPropertiesForKeys: nil)
                .sorted { $0.lastPathComponent < $1.lastPathComponent }
        }
    }
#endif
