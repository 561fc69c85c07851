/// Everything LeptonTune reports as going wrong that a user can cause: a search space that
/// cannot be searched, a storage URL or file that cannot be used, a study that does not exist.
/// The message names what was wrong and what was expected.
public struct TuneError: Error, CustomStringConvertible, Equatable, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
