import HTTPTypes

extension HTTPField.Name {
    /// `X-Request-Id`: the id of a request in the server's logs (and the platform's audit log).
    public static let requestID = HTTPField.Name("X-Request-Id")!
}
