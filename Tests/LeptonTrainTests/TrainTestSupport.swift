import Foundation
import Testing
import LeptonNN
import LeptonTensor
import LeptonTrain

/// Runs `python3 -c script` with the arguments and returns its standard output.
func runPythonScript(_ script: String, _ arguments: [String] = []) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", script] + arguments
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let output = out.fileHandleForReading.readDataToEndOfFile()
    let errors = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    if process.terminationStatus != 0 { throw TrainingError("python3 failed: \(String(decoding: errors, as: UTF8.self))") }
    return String(decoding: output, as: UTF8.self)
}

/// A metric whose value at epoch `e` is `values[e]` (the epoch advances at each reset), to
/// drive monitoring callbacks deterministically.
final class ScriptedMetric: Metric {
    let name: String
    let values: [Float]
    private(set) var epoch = -1
    init(name: String = "scripted", _ values: [Float]) { self.name = name; self.values = values }
    func reset() { epoch += 1 }
    func update(prediction: Tensor, target: Tensor) {}
    func result() -> Float { values[min(max(epoch, 0), values.count - 1)] }
}

/// A small regression problem: `y = x · [1, −2] + 0.5` for 16 samples.
func regressionData(samples: Int = 16, seed: UInt64 = 1) -> (Tensor, Tensor) {
    var g = RandomGenerator(seed: seed)
    let x = Tensor.normal([samples, 2], generator: &g)
    let v = x.scalars
    var y: [Float] = []
    for i in 0..<samples {
        let a: Float = v[2 * i], b: Float = v[2 * i + 1]
        y.append(a - 2 * b + 0.5)
    }
    return (x, Tensor(y, shape: [samples, 1]))
}

/// A linear model with fixed initial weights.
func linearModel(units: Int = 1) -> Sequential {
    let dense = Dense(units: units, inputDimensions: 2, kernelInitializer: .zeros)
    return Sequential([dense])
}

/// The model's weights as plain arrays, by name.
func weights(_ model: Module) -> [String: [Float]] {
    Dictionary(uniqueKeysWithValues: model.stateDict().map { ($0.0, $0.1.scalars) })
}
