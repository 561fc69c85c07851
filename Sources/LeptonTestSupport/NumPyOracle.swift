import Foundation
import LeptonTensor

/// A JSON value for the attributes of an oracle request (`axes`, `stride`, `keepdims`, …).
///
/// Literals build it directly:
///
/// ```swift
/// let attrs: [String: OracleValue] = ["axes": [0, -1], "keepdims": true, "slope": 0.2, "axis": nil]
/// ```
public enum OracleValue: Sendable, Equatable, Codable,
    ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByStringLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([OracleValue])
    case object([String: OracleValue])

    public init(integerLiteral value: Int) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(arrayLiteral elements: OracleValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, OracleValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
    public init(nilLiteral: ()) { self = .null }

    /// A `Float` attribute, passed exactly (as the `Double` of the same value).
    public static func float(_ value: Float) -> OracleValue { .double(Double(value)) }

    /// A list of integers (`[Int]` variables are not literals).
    public static func ints(_ values: [Int]) -> OracleValue { .array(values.map { .int($0) }) }

    /// An optional integer: `nil` becomes JSON `null`.
    public static func int(_ value: Int?) -> OracleValue { value.map { .int($0) } ?? .null }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let v = try? c.decode(Bool.self) { self = .bool(v) }
        else if let v = try? c.decode(Int.self) { self = .int(v) }
        else if let v = try? c.decode(Double.self) { self = .double(v) }
        else if let v = try? c.decode(String.self) { self = .string(v) }
        else if let v = try? c.decode([OracleValue].self) { self = .array(v) }
        else { self = .object(try c.decode([String: OracleValue].self)) }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .bool(let v): try c.encode(v)
        case .int(let v): try c.encode(v)
        case .double(let v):
            // JSON has no infinities: NumPy's json module reads these spellings.
            if v.isFinite { try c.encode(v) } else { try c.encode(v.isNaN ? "NaN" : (v > 0 ? "Infinity" : "-Infinity")) }
        case .string(let v): try c.encode(v)
        case .array(let v): try c.encode(v)
        case .object(let v): try c.encode(v)
        }
    }
}

/// Attributes of an oracle request, by name.
public typealias OracleAttributes = [String: OracleValue]

/// Why the NumPy oracle could not answer.
public struct NumPyOracleError: Error, CustomStringConvertible, Sendable {
    /// What went wrong, with what to do about it.
    public let message: String

    /// Creates an error with a message.
    public init(_ message: String) { self.message = message }

    public var description: String { "NumPy oracle: \(message)" }
}

/// The NumPy reference that forward-correctness tests compare Lepton's ops against.
///
/// The first call starts `python3 python/oracle.py` (the interpreter is `LEPTON_PYTHON` when
/// set) and keeps it running for the rest of the test process; requests go over its stdin and
/// stdout, one JSON line each. Calls are serialised, so concurrently running tests may share
/// ``shared``.
///
/// ```swift
/// let x = TestSupport.randn([3, 4], seed: 1)
/// let expected = try NumPyOracle.shared.run("softmax", [x], attrs: ["axis": 1])[0]
/// let error = TestSupport.maxRelativeError(x.softmax(axis: 1).scalars, expected.scalars)
/// ```
///
/// When Python or NumPy is missing, calls throw a ``NumPyOracleError`` that says to run
/// `scripts/setup.sh`.
public final class NumPyOracle: @unchecked Sendable {
    /// The oracle shared by every test of the process.
    public static let shared = NumPyOracle()

    /// The repository root, found from this source file's location.
    public static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()   // LeptonTestSupport
        .deletingLastPathComponent()   // Sources
        .deletingLastPathComponent()

    /// The oracle for layers, losses and optimizers: PyTorch, through `python/torch_oracle.py`
    /// (same protocol).
    public static let torch = NumPyOracle(script: "python/torch_oracle.py")

    /// The oracle script, relative to the repository root.
    public let script: String

    /// The oracle script's absolute path.
    public var scriptPath: String { Self.repositoryRoot.appendingPathComponent(script).path }

    /// The Python interpreter: `LEPTON_PYTHON`, else `python3` on the `PATH`.
    public static var pythonExecutable: String {
        let value = ProcessInfo.processInfo.environment["LEPTON_PYTHON"]?.trimmingCharacters(in: .whitespaces) ?? ""
        return value.isEmpty ? "python3" : value
    }

    private let lock = NSLock()
    private var process: Process?
    private var input: FileHandle?
    private var output: FileHandle?
    private var buffer: [UInt8] = []
    private var startupError: NumPyOracleError?
    /// NumPy's version once the oracle has started.
    public private(set) var numpyVersion: String?

    /// Creates an oracle running `script` (relative to the repository root); the Python process
    /// starts on the first request.
    public init(script: String = "python/oracle.py") {
        self.script = script
    }

    deinit {
        try? input?.close()
        if let process, process.isRunning { process.terminate() }
    }

    /// Runs `op` in NumPy on `inputs` (float32 or int32 tensors, on any backend) and returns
    /// its outputs as tensors on the current backend (see ``Device``).
    ///
    /// - Parameters:
    ///   - op: the oracle's name for the op (`"add"`, `"conv2d"`, `"max_pool2d"`, … see
    ///     `python/oracle.py`).
    ///   - inputs: the op's tensor operands, in order.
    ///   - attrs: the op's other arguments.
    /// - Throws: ``NumPyOracleError`` when Python or NumPy is missing, the oracle stopped, or
    ///   NumPy refused the request.
    public func run(_ op: String, _ inputs: [Tensor], attrs: OracleAttributes = [:]) throws -> [Tensor] {
        let request = Request(op: op, inputs: try inputs.map(Payload.init), attrs: attrs)
        let line = try JSONEncoder().encode(request)
        let response = try exchange(line, op: op)
        if let error = response.error { throw NumPyOracleError("\(op): \(error)") }
        guard let outputs = response.outputs else { throw NumPyOracleError("\(op): response has no outputs") }
        return try outputs.map { try $0.tensor() }
    }

    /// Starts the oracle if needed and checks that NumPy answers; throws the start-up error.
    public func ensureStarted() throws {
        lock.lock()
        defer { lock.unlock() }
        try startIfNeeded()
    }

    // MARK: Process

    private func exchange(_ request: Data, op: String) throws -> Response {
        lock.lock()
        defer { lock.unlock() }
        try startIfNeeded()
        guard let input else { throw NumPyOracleError("not running") }
        do {
            try input.write(contentsOf: request + Data([0x0A]))
        } catch {
            stop()
            throw NumPyOracleError("\(op): could not write to the oracle process (\(error)); it may have crashed")
        }
        guard let line = readLine() else {
            stop()
            throw NumPyOracleError("\(op): the oracle process exited without answering (see its stderr above)")
        }
        do {
            return try JSONDecoder().decode(Response.self, from: line)
        } catch {
            throw NumPyOracleError("\(op): unreadable response (\(error)): \(String(decoding: line.prefix(200), as: UTF8.self))")
        }
    }

    private func startIfNeeded() throws {
        if let startupError { throw startupError }
        if process != nil { return }
        do {
            try start()
        } catch let error as NumPyOracleError {
            startupError = error
            stop()
            throw error
        }
    }

    private func start() throws {
        let python = Self.pythonExecutable, script = scriptPath
        guard FileManager.default.fileExists(atPath: script) else {
            throw NumPyOracleError("\(script) is missing")
        }
        // A dead oracle must not kill the test process with SIGPIPE.
        signal(SIGPIPE, SIG_IGN)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [python, "-u", script]
        var environment = ProcessInfo.processInfo.environment
        environment["PYTHONUNBUFFERED"] = "1"
        environment["OMP_NUM_THREADS"] = environment["OMP_NUM_THREADS"] ?? "1"
        environment["OPENBLAS_NUM_THREADS"] = environment["OPENBLAS_NUM_THREADS"] ?? "1"
        process.environment = environment
        let stdin = Pipe(), stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = FileHandle.standardError
        do {
            try process.run()
        } catch {
            throw NumPyOracleError("could not start \(python) \(script) (\(error)); run scripts/setup.sh to install Python 3 and NumPy, or set LEPTON_PYTHON")
        }
        self.process = process
        self.input = stdin.fileHandleForWriting
        self.output = stdout.fileHandleForReading
        guard let line = readLine() else {
            process.waitUntilExit()
            let status = process.terminationStatus
            throw NumPyOracleError(status == 127
                ? "\(python) was not found; run scripts/setup.sh to install Python 3 and NumPy, or set LEPTON_PYTHON"
                : "\(python) \(script) exited with status \(status) before answering; run scripts/setup.sh")
        }
        struct Ready: Decodable { var ready: Bool?; var numpy: String?; var error: String? }
        let ready = try? JSONDecoder().decode(Ready.self, from: line)
        if let error = ready?.error { throw NumPyOracleError("\(error)") }
        guard ready?.ready == true else {
            throw NumPyOracleError("unexpected start-up line from \(script): \(String(decoding: line.prefix(200), as: UTF8.self)); run scripts/setup.sh")
        }
        numpyVersion = ready?.numpy
    }

    private func stop() {
        try? input?.close()
        if let process, process.isRunning { process.terminate() }
        process = nil
        input = nil
        output = nil
        buffer = []
    }

    /// One line from the oracle's stdout (without the newline), or nil at end of file.
    private func readLine() -> Data? {
        guard let output else { return nil }
        let fd = output.fileDescriptor
        var scanned = 0
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            if let newline = buffer[scanned...].firstIndex(of: 0x0A) {
                let line = buffer[..<newline]
                buffer.removeSubrange(...newline)
                return Data(line)
            }
            scanned = buffer.count
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return nil }
            buffer.append(contentsOf: chunk[..<n])
        }
    }

    // MARK: Wire format

    private struct Request: Encodable {
        var op: String
        var inputs: [Payload]
        var attrs: OracleAttributes
    }

    private struct Response: Decodable {
        var outputs: [Payload]?
        var error: String?
    }

    private struct Payload: Codable {
        var shape: [Int]
        var dtype: String
        var data: String

        init(_ tensor: Tensor) throws {
            guard tensor.dtype == .float32 || tensor.dtype == .int32 else {
                throw NumPyOracleError("the oracle takes float32 and int32 tensors, got \(tensor.dtype)")
            }
            shape = tensor.shape
            dtype = tensor.dtype.rawValue
            data = Data(bytes: tensor.storage.pointer, count: tensor.count * tensor.dtype.byteSize).base64EncodedString()
        }

        func tensor() throws -> Tensor {
            guard let bytes = Data(base64Encoded: data) else { throw NumPyOracleError("bad base64 in a response") }
            let count = Shape.count(shape)
            guard bytes.count == count * 4 else {
                throw NumPyOracleError("response holds \(bytes.count) bytes for shape \(shape)")
            }
            switch dtype {
            case "float32":
                let values = bytes.withUnsafeBytes { raw in (0..<count).map { raw.loadUnaligned(fromByteOffset: $0 * 4, as: Float.self) } }
                return Tensor(values, shape: shape)
            case "int32":
                let values = bytes.withUnsafeBytes { raw in (0..<count).map { raw.loadUnaligned(fromByteOffset: $0 * 4, as: Int32.self) } }
                return Tensor(int32: values, shape: shape)
            default:
                throw NumPyOracleError("response has unsupported dtype \(dtype)")
            }
        }
    }
}
