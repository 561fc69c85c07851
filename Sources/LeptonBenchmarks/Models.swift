import LeptonNN
import LeptonTensor
import LeptonTrain

// The models of the training / inference benchmarks (see ../shared/BENCHMARKS.md), built
// with the Keras-style layers exactly as a user would, and their training steps. The PyTorch
// twins are in python/bench_peer.py. Used by the timed benchmarks and by `--memory-probe`.

/// Seeds of the synthetic data and of the weights (same seeds on every run).
enum BenchSeed {
    static let data: UInt64 = 0
    static let weights: UInt64 = 42
}

/// The reference CNN: input 28×28×1 → Conv2D(32, 3×3, ReLU) → MaxPool 2×2 → Flatten →
/// Dense(128, ReLU) → Dense(10) (logits; the softmax is inside the loss).
func makeCNN() -> Sequential {
    GlobalRandom.seed(BenchSeed.weights)
    let model = Sequential([
        Conv2D(filters: 32, kernelSize: [3, 3], activation: .relu),
        MaxPooling2D(poolSize: [2, 2]),
        Flatten(),
        Dense(units: 128, activation: .relu),
        Dense(units: 10),
    ])
    model.build(inputShape: [28, 28, 1])
    return model
}

/// The MLP: 784 → 256 → 256 → 10, ReLU, logits.
func makeMLP() -> Sequential {
    GlobalRandom.seed(BenchSeed.weights)
    let model = Sequential([
        Dense(units: 256, activation: .relu, inputDimensions: 784),
        Dense(units: 256, activation: .relu),
        Dense(units: 10),
    ])
    model.build(inputShape: [784])
    return model
}

/// The LSTM classifier: Embedding(10,000, 64) → LSTM(128) (last output) → Dense(1) (a logit).
let lstmVocabulary = 10_000, lstmSteps = 100

func makeLSTMModel() -> Sequential {
    GlobalRandom.seed(BenchSeed.weights)
    return Sequential([
        Embedding(vocabularySize: lstmVocabulary, dimensions: 64),
        LSTM(units: 128),
        Dense(units: 1),
    ])
}

/// How the Lepton side of the model rows runs (`--jit`: compiled steps).
enum BenchMode {
    /// Whether the model rows run through `compile(..., jit: true)`.
    nonisolated(unsafe) static var jit = false
}

/// One optimisation step: as a user writes it (forward, loss, zeroGrad, backward, optimizer
/// step), or with `--jit` the model's compiled `trainStep` (forward, loss, backward, step).
func trainingStep(model: Sequential, optimizer: Optimizer, x: Tensor, y: Tensor, loss: LossFunction) -> () -> Void {
    if BenchMode.jit {
        do { try model.compile(optimizer: optimizer, loss: loss, jit: true) } catch { fail("compile: \(error)") }
        return { _ = model.trainStep(x: x, y: y) }
    }
    return {
        let value = loss(model(x), y)
        optimizer.zeroGrad()
        value.backward()
        optimizer.step()
    }
}

/// CNN training on a synthetic batch `[batch, 28, 28, 1]` with int32 labels, Adam lr 1e-3,
/// sparse softmax cross-entropy on logits.
func cnnTrainingStep(batch: Int) -> () -> Void {
    var g = RandomGenerator(seed: BenchSeed.data)
    let x = Tensor.normal([batch, 28, 28, 1], generator: &g)
    let y = Tensor.randint([batch], high: 10, generator: &g)
    let model = makeCNN()
    let optimizer = Adam(model, learningRate: 1e-3)
    return trainingStep(model: model, optimizer: optimizer, x: x, y: y, loss: .sparseCategoricalCrossEntropy(fromLogits: true))
}

/// CNN forward pass without gradients, evaluation mode, on `[batch, 28, 28, 1]`.
func cnnInference(batch: Int) -> () -> Void {
    var g = RandomGenerator(seed: BenchSeed.data)
    let x = Tensor.normal([batch, 28, 28, 1], generator: &g)
    let model = makeCNN()
    if BenchMode.jit {
        do { try model.compile(loss: .sparseCategoricalCrossEntropy(fromLogits: true), jit: true) } catch { fail("compile: \(error)") }
        return { _ = model.predict(x, batchSize: batch) }
    }
    model.eval()
    return { Tensor.withoutGrad { _ = model(x) } }
}

/// MLP training, batch of `[batch, 784]`, Adam lr 1e-3, sparse softmax cross-entropy on logits.
func mlpTrainingStep(batch: Int) -> () -> Void {
    var g = RandomGenerator(seed: BenchSeed.data)
    let x = Tensor.normal([batch, 784], generator: &g)
    let y = Tensor.randint([batch], high: 10, generator: &g)
    let model = makeMLP()
    let optimizer = Adam(model, learningRate: 1e-3)
    return trainingStep(model: model, optimizer: optimizer, x: x, y: y, loss: .sparseCategoricalCrossEntropy(fromLogits: true))
}

/// LSTM training: int32 token ids `[batch, 100]`, binary labels `[batch, 1]`, sigmoid
/// cross-entropy on the logit, Adam lr 1e-3.
func lstmTrainingStep(batch: Int) -> () -> Void {
    var g = RandomGenerator(seed: BenchSeed.data)
    let x = Tensor.randint([batch, lstmSteps], high: lstmVocabulary, generator: &g)
    let y = Tensor.randint([batch, 1], high: 2, generator: &g).cast(to: .float32)
    let model = makeLSTMModel()
    let optimizer = Adam(model, learningRate: 1e-3)
    return trainingStep(model: model, optimizer: optimizer, x: x, y: y, loss: .binaryCrossEntropy(fromLogits: true))
}

/// TransformerEncoder (6 blocks, d = 128, 4 heads, feed-forward 512, dropout 0) forward and
/// backward on `[batch, seq, 128]` (no input gradient) with a fixed output gradient; the
/// parameter gradients are cleared after each pass.
func transformerForwardBackward(batch: Int = 32, sequence: Int = 64) -> () -> Void {
    GlobalRandom.seed(BenchSeed.weights)
    let encoder = TransformerEncoder(layers: 6, modelDimensions: 128, heads: 4, feedForwardDimensions: 512,
                                     dropout: 0, seed: BenchSeed.weights)
    var g = RandomGenerator(seed: BenchSeed.data)
    let x = Tensor.normal([batch, sequence, 128], generator: &g)
    let gy = Tensor.normal([batch, sequence, 128], generator: &g)
    return {
        let y = encoder(x)
        y.backward(gy)
        encoder.zeroGrad()
    }
}
