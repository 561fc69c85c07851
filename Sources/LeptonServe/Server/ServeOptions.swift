import Foundation

/// What `lepton serve` is told: where to listen, the repository, model defaults and the
/// operational limits (tokens, body size, per-request timeout).
public struct ServeOptions: Sendable {
    /// The address to listen on (`127.0.0.1` by default; `0.0.0.0` for every interface).
    public var host: String
    /// The port (0 picks a free one; the server reports it when listening).
    public var port: Int
    /// The model repository folder.
    public var repository: URL
    /// Model settings used where a model's `config.json` says nothing.
    public var defaults: ModelConfig
    /// Bearer tokens that may call the API; empty: no authentication.
    public var tokens: Set<String>
    /// Largest request body accepted, in bytes (413 beyond).
    public var maxBodyBytes: Int
    /// Longest an inference request may take before it is answered 504; nil: no limit.
    public var requestTimeout: Duration?
    /// The backends that load model versions, tried in order.
    public var loaders: [any InferenceModelLoader]
    /// Threads of the network event loop (nil: one per core).
    public var ioThreads: Int?

    /// Creates options with the defaults of `lepton serve`.
    public init(repository: URL, host: String = "127.0.0.1", port: Int = 8000, defaults: ModelConfig = ModelConfig(),
                tokens: Set<String> = [], maxBodyBytes: Int = 64 << 20, requestTimeout: Duration? = .seconds(60),
                loaders: [any InferenceModelLoader] = [ONNXModelLoader(), LeptonModelLoader()], ioThreads: Int? = nil) {
        self.repository = repository
        self.host = host
        self.port = port
        self.defaults = defaults
        self.tokens = tokens
        self.maxBodyBytes = maxBodyBytes
        self.requestTimeout = requestTimeout
        self.loaders = loaders
        self.ioThreads = ioThreads
    }

    /// Reads bearer tokens: one per line of `file` (blank lines and `#` comments skipped), and the
    /// comma-separated list in the environment variable `environmentVariable`.
    /// - Throws: ``ServeError`` when the file cannot be read or holds no token.
    public static func readTokens(file: String?, environmentVariable: String = "LEPTON_SERVE_TOKENS",
                                  environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Set<String> {
        var tokens = Set<String>()
        if let file {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
                throw ServeError.badRequest("--token-file \(file): cannot read the file")
            }
            let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            let fileTokens = lines.filter { !$0.isEmpty && !$0.hasPrefix("#") }
            guard !fileTokens.isEmpty else { throw ServeError.badRequest("--token-file \(file): no token in the file (one per line)") }
            tokens.formUnion(fileTokens)
        }
        if let list = environment[environmentVariable] {
            tokens.formUnion(list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
        }
        return tokens
    }
}
