import Foundation
import LeptonFiles

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
    /// Bearer tokens that may call the inference API; empty: no authentication there.
    public var tokens: Set<String>
    /// Bearer tokens of the repository API (`/v2/repository/…`: index, load, unload), which
    /// inference tokens may not call (403). They are accepted everywhere. When any token is
    /// configured and this is empty, the repository API is closed.
    public var adminTokens: Set<String>
    /// Largest request body accepted, in bytes (413 beyond).
    public var maxBodyBytes: Int
    /// Largest size a compressed (gzip/deflate) body may inflate to, in bytes: checked as the
    /// stream inflates, so a small hostile body cannot grow past it (413).
    public var maxInflatedBytes: Int
    /// Most tensor elements the inputs of one inference request may hold together (413 beyond);
    /// bounds the memory one JSON or binary request can make the server allocate.
    public var maxRequestElements: Int
    /// The check run on each model version before it is loaded in process (nil: none).
    public var loadCheck: (any ModelLoadCheck)?
    /// Longest an inference request may take before it is answered 504; nil: no limit.
    public var requestTimeout: Duration?
    /// The backends that load model versions, tried in order.
    public var loaders: [any InferenceModelLoader]
    /// Threads of the network event loop (nil: one per core).
    public var ioThreads: Int?

    /// The default of ``maxRequestElements``: 16 Mi elements (64 MiB of FP32).
    public static let defaultMaxRequestElements = 1 << 24

    /// Creates options with the defaults of `lepton serve`.
    public init(repository: URL, host: String = "127.0.0.1", port: Int = 8000, defaults: ModelConfig = ModelConfig(),
                tokens: Set<String> = [], adminTokens: Set<String> = [], maxBodyBytes: Int = 64 << 20,
                maxInflatedBytes: Int = 64 << 20, maxRequestElements: Int = ServeOptions.defaultMaxRequestElements,
                requestTimeout: Duration? = .seconds(60),
                loaders: [any InferenceModelLoader] = [ONNXModelLoader(), LeptonModelLoader()], loadCheck: (any ModelLoadCheck)? = nil,
                ioThreads: Int? = nil) {
        self.repository = repository
        self.host = host
        self.port = port
        self.defaults = defaults
        self.tokens = tokens
        self.adminTokens = adminTokens
        self.maxBodyBytes = maxBodyBytes
        self.maxInflatedBytes = maxInflatedBytes
        self.maxRequestElements = maxRequestElements
        self.loadCheck = loadCheck
        self.requestTimeout = requestTimeout
        self.loaders = loaders
        self.ioThreads = ioThreads
    }

    /// Reads bearer tokens: one per line of `file` (blank lines and `#` comments skipped), and the
    /// comma-separated list in the environment variable `environmentVariable`.
    /// - Throws: ``ServeError`` when the file cannot be read or holds no token.
    /// - Parameter flag: the option named in errors.
    public static func readTokens(file: String?, environmentVariable: String = "LEPTON_SERVE_TOKENS", flag: String = "--token-file",
                                  environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Set<String> {
        var tokens = Set<String>()
        if let file {
            guard let text = FileContents.text(URL(fileURLWithPath: file)) else {
                throw ServeError.badRequest("\(flag) \(file): cannot read the file")
            }
            let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            let fileTokens = lines.filter { !$0.isEmpty && !$0.hasPrefix("#") }
            guard !fileTokens.isEmpty else { throw ServeError.badRequest("\(flag) \(file): no token in the file (one per line)") }
            tokens.formUnion(fileTokens)
        }
        if let list = environment[environmentVariable] {
            tokens.formUnion(list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
        }
        return tokens
    }
}
