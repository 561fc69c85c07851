import Foundation
import HTTPTypes
import Hummingbird
import LeptonPlatform

/// How the routes that take a large body (dataset uploads, model pushes) read it: a declared
/// length over the limit is refused before anything starts, then the body is fed to the upload as
/// it arrives, and the upload is aborted when a chunk is refused or the body ends early.
enum StreamedBody {
    /// Refuses a `Content-Length` over `limit`; `what` names the body ("an upload").
    static func checkDeclaredLength(of request: Request, limit: Int, what: String) throws {
        if let declared = request.headers[.contentLength].flatMap(Int.init), declared > limit {
            throw PlatformError(.tooLarge, "\(what) of \(declared) bytes exceeds the limit of \(limit) bytes")
        }
    }

    /// Feeds the body to `upload`; `what` names it in the error of a body that ends early ("the upload").
    static func feed(_ request: Request, into upload: some StreamedUpload, what: String) async throws {
        do {
            for try await buffer in request.body {
                try buffer.withUnsafeReadableBytes { try upload.append($0) }
            }
        } catch let error as PlatformError {
            upload.abort()
            throw error
        } catch {
            upload.abort()
            throw PlatformError(.badRequest, "\(what) ended before it was complete (\(error)); no version was created")
        }
    }
}
