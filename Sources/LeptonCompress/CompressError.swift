/// A compression request that cannot be carried out: what was wrong and what was expected.
public struct CompressError: Error, CustomStringConvertible, Equatable, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
