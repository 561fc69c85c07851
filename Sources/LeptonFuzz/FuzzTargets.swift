import LeptonNN

/// Every fuzz target, by name.
public enum FuzzTargets {
    /// The targets, in the order `scripts/fuzz.sh` runs them.
    public static let all: [FuzzTarget] = [
        TensorFileTargets.safetensors, TensorFileTargets.npy, TensorFileTargets.npz, TensorFileTargets.idx,
        TextTargets.csv, TextTargets.ratings, TextTargets.scoredText, ImageTargets.image,
        ModelTargets.modelFolder, ModelTargets.onnx, ConfigTargets.trainingConfig, ConfigTargets.modelConfig,
        ServeTargets.v2JSON, ServeTargets.v2Binary, ServeTargets.compressedBody,
    ]

    /// The target called `name`, or nil.
    public static func named(_ name: String) -> FuzzTarget? {
        all.first { $0.name == name }
    }

    /// Lowers the layer limits to what a fuzzing process can afford (libFuzzer stops at 2 GiB of
    /// RSS): the limits are what is being tested, so a model within them must fit, and one past
    /// them must be refused before it is allocated.
    public static func useFuzzingLimits() {
        LayerLimits.maxTensorElements = 1 << 24
        LayerLimits.maxParameters = 1 << 24
        LayerLimits.maxOperations = 1 << 28
        LayerLimits.maxLayers = 1_000
    }
}
