import CompressNIO
import Foundation
import NIOCore

/// Reads a whole input file, gunzipping it when it starts with the gzip magic bytes (whatever its name).
enum InputFile {
    static func bytes(_ path: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CLIError("\(path): cannot read the file (does it exist?)")
        }
        guard data.count >= 2, data[data.startIndex] == 0x1F, data[data.startIndex + 1] == 0x8B else {
            return Array(data)
        }
        do {
            return try gunzip(data)
        } catch {
            throw CLIError("\(path): the gzip data is damaged (\(error)); check the download")
        }
    }

    /// A gzip file that ends in the middle of its data.
    struct Truncated: Error, CustomStringConvertible {
        var description: String { "it ends before its data does" }
    }

    /// Inflates through a small window appended to the content as it fills: the window stays in the cache, and the
    /// content is written once, to memory reserved at the size the file states. (Inflating into one large buffer
    /// and copying that into the array wrote every byte twice to fresh memory.) A file of several gzip members,
    /// as `cat a.gz b.gz` makes, reads as the concatenation of their contents, as gzip itself reads it.
    private static func gunzip(_ data: Data) throws -> [UInt8] {
        var input = ByteBuffer(bytes: data)
        var window = ByteBufferAllocator().buffer(capacity: 1 << 20)
        var content: [UInt8] = []
        content.reserveCapacity(statedSize(data))
        let decompressor = CompressionAlgorithm.gzip().decompressor
        try decompressor.startStream()
        defer { try? decompressor.finishStream() }
        func keepWindow() {
            window.withUnsafeReadableBytes { content.append(contentsOf: $0) }
            window.clear()
        }
        while true {
            do {
                try decompressor.streamInflate(from: &input, to: &window)
            } catch let error as CompressNIOError where error == .bufferOverflow {
                keepWindow()
                continue
            } catch let error as CompressNIOError where error == .inputBufferOverflow {
                throw Truncated()
            }
            keepWindow()
            // Returned with input left: the member ended, and another one follows.
            if input.readableBytes > 0 {
                try decompressor.resetStream()
                continue
            }
            // The input is used up: asked again, an ended member gives nothing, and a cut one asks for more.
            do {
                try decompressor.streamInflate(from: &input, to: &window)
            } catch let error as CompressNIOError where error == .inputBufferOverflow {
                throw Truncated()
            }
            keepWindow()
            return content
        }
    }

    /// The size a gzip file states for its content: its last four bytes, little-endian (the size modulo 2³²,
    /// and only the last member's when there are several, so it is a hint that may be too small).
    private static func statedSize(_ data: Data) -> Int {
        // Shorter than a gzip member's header and trailer: damaged, which inflating will say.
        guard data.count >= 18 else { return 0 }
        return data.suffix(4).reversed().reduce(0) { $0 << 8 | Int($1) }
    }
}
