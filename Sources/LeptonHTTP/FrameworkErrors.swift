import Hummingbird
import HTTPTypes
import NIOCore

/// The status and message of an error Hummingbird or SwiftNIO throws on their own (no route, a
/// method the route does not take, a body over the limit), so every server of the project
/// answers them alike; nil for any other error, which each server maps itself.
/// - Parameter bodyLimit: how the server names its body limit, e.g. `(--max-body-bytes)`.
public func describeFrameworkError(_ error: any Error, request: Request, bodyLimit: String) -> (HTTPResponse.Status, String)? {
    switch error {
    case let error as HTTPError where error.status == .notFound:
        return (.notFound, "no route for \(request.method) \(request.uri.path) (see /openapi.json)")
    case let error as HTTPError where error.status == .methodNotAllowed:
        return (.methodNotAllowed, "\(request.method) is not allowed on \(request.uri.path) (see /openapi.json)")
    case let error as HTTPError:
        return (error.status, error.body ?? error.status.reasonPhrase)
    case is NIOTooManyBytesError:
        return (.contentTooLarge, "the request body exceeds the server's limit \(bodyLimit)")
    default:
        return nil
    }
}
