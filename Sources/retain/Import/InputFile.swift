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
        var buffer = ByteBuffer(bytes: data)
        do {
            var output = try buffer.decompress(with: .gzip())
            return output.readBytes(length: output.readableBytes) ?? []
        } catch {
            throw CLIError("\(path): the gzip data is damaged (\(error)); check the download")
        }
    }
}
