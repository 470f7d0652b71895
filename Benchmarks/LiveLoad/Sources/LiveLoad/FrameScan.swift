/// The kind and `seq` of a live-protocol text message, found by scanning its bytes: no JSON
/// decoding and no `String` per frame. The server splices `type` and `seq` in front of every
/// event's frame (`{"type":"machine","seq":12,...}`), so those are read from fixed places. The
/// hello is told apart by `"type":"hello"` anywhere, as its key order is not fixed (the old
/// server sorts its keys and ends with it).
enum FrameScan {
    enum Kind: Equatable {
        case machine, board, batch, hello, other
    }

    /// One spliced frame: `{"type":"<kind>","seq":<seq>` starting at some offset.
    struct Spliced {
        var kind: Kind
        var seq: Int64
        /// Just past the last digit of the seq.
        var end: Int
    }

    private static let open: StaticString = #"{"type":""#
    private static let seqKey: StaticString = #","seq":"#
    private static let helloPair: StaticString = #""type":"hello""#

    /// The spliced frame at `offset`, or nil when the bytes there are not `{"type":"…","seq":N`.
    static func spliced(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> Spliced? {
        guard matches(bytes, at: offset, open) else { return nil }
        let wordStart = offset + open.utf8CodeUnitCount
        var quote = wordStart
        // Type names are short; anything else is not a spliced frame.
        while quote < bytes.count, quote - wordStart < 24, bytes[quote] != UInt8(ascii: "\"") { quote += 1 }
        guard quote < bytes.count, bytes[quote] == UInt8(ascii: "\"") else { return nil }
        let digitsStart = quote + 1 + seqKey.utf8CodeUnitCount
        guard matches(bytes, at: quote + 1, seqKey) else { return nil }
        var index = digitsStart
        var seq: Int64 = 0
        while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") {
            seq = seq &* 10 &+ Int64(bytes[index] &- UInt8(ascii: "0"))
            index += 1
        }
        guard index > digitsStart else { return nil }
        return Spliced(kind: kind(bytes, from: wordStart, to: quote), seq: seq, end: index)
    }

    /// The next offset at or after `from` where a spliced frame may start (`{"type":"`).
    static func nextOpen(_ bytes: UnsafeRawBufferPointer, from: Int) -> Int? {
        var index = from
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "{"), matches(bytes, at: index, open) { return index }
            index += 1
        }
        return nil
    }

    /// Whether `"type":"hello"` occurs anywhere.
    static func isHello(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var index = 0
        let last = bytes.count - helloPair.utf8CodeUnitCount
        while index <= last {
            if bytes[index] == UInt8(ascii: "\""), matches(bytes, at: index, helloPair) { return true }
            index += 1
        }
        return false
    }

    private static func kind(_ bytes: UnsafeRawBufferPointer, from start: Int, to end: Int) -> Kind {
        switch end - start {
        case 7 where matches(bytes, at: start, "machine"): .machine
        case 5 where matches(bytes, at: start, "board"): .board
        case 5 where matches(bytes, at: start, "batch"): .batch
        case 5 where matches(bytes, at: start, "hello"): .hello
        default: .other
        }
    }

    @inline(__always)
    private static func matches(_ bytes: UnsafeRawBufferPointer, at offset: Int, _ pattern: StaticString) -> Bool {
        let count = pattern.utf8CodeUnitCount
        guard offset >= 0, offset + count <= bytes.count else { return false }
        let pattern = pattern.utf8Start
        for index in 0..<count where bytes[offset + index] != pattern[index] { return false }
        return true
    }
}
