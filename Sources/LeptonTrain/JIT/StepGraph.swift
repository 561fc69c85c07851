import LeptonTensor

/// A float32 value of a compiled step: an activation, a gradient or a node's scratch memory.
package struct StepValue {
    /// Its shape (an `int32` scratch, such as pooling indices, counts one float per element).
    package let shape: [Int]
    /// The value whose memory this one shares (a reshape's output and its input).
    package let aliasOf: Int?
    /// Whether the memory comes from outside the arena at run time: the model's input, or a
    /// tensor an eager island or the loss made.
    package let external: Bool

    package var count: Int { Shape.count(shape) }
}

/// The values of a step graph as the compiler creates them, and the times nodes touch them
/// (the input of ``BufferPlan``).
package struct StepGraph {
    package private(set) var values: [StepValue] = []
    /// `(value, time)`: node passes in schedule order (forward passes first, then backward).
    package private(set) var uses: [(value: Int, time: Int)] = []

    package init() {}

    /// A new value of `shape` in the arena, or outside it when `external`.
    package mutating func value(_ shape: [Int], external: Bool = false) -> Int {
        values.append(StepValue(shape: shape, aliasOf: nil, external: external))
        return values.count - 1
    }

    /// A value sharing `base`'s memory with another shape of the same element count.
    package mutating func alias(of base: Int, shape: [Int]) -> Int {
        precondition(Shape.count(shape) == values[base].count, "step graph: alias changes the element count")
        values.append(StepValue(shape: shape, aliasOf: root(base), external: false))
        return values.count - 1
    }

    /// The value that owns `value`'s memory.
    package func root(_ value: Int) -> Int { values[value].aliasOf ?? value }

    /// Records that a node pass at `time` reads or writes `touched`.
    package mutating func use(_ touched: [Int], at time: Int) {
        for v in touched { uses.append((v, time)) }
    }
}

/// What a compiled step reads and writes while it runs: the arena, the external tensors of this
/// step, and whether it trains.
final class StepRun {
    let backend: any Backend
    /// One block for every planned value (64-byte aligned offsets).
    let arena: Storage
    private let graph: StepGraph
    private let offsets: [Int?]
    /// External tensors of the current step, by root value.
    private var externals: [Tensor?]
    /// Views of the arena values, made once.
    private var views: [Tensor?]

    init(graph: StepGraph, plan: BufferPlan, backend: any Backend) {
        self.backend = backend
        self.graph = graph
        offsets = plan.offsets
        arena = Storage(byteCount: plan.floatCount * MemoryLayout<Float>.size, backend: backend)
        externals = Array(repeating: nil, count: graph.values.count)
        views = Array(repeating: nil, count: graph.values.count)
    }

    /// The arena's size in bytes.
    var arenaBytes: Int { arena.byteCount }

    /// Whether `value`'s memory is in the arena (not external).
    func isPlanned(_ value: Int) -> Bool { offsets[graph.root(value)] != nil }

    /// The float32 elements of `value`.
    func floats(_ value: Int) -> UnsafeMutablePointer<Float> {
        let root = graph.root(value)
        if let offset = offsets[root] {
            return arena.pointer.assumingMemoryBound(to: Float.self) + offset
        }
        guard let tensor = externals[root] else { fatalError("compiled step: value \(value) read before it was set") }
        return tensor.floats
    }

    /// `value`'s memory read as `int32` elements (scratch such as pooling indices).
    func int32s(_ value: Int) -> UnsafeMutablePointer<Int32> {
        UnsafeMutableRawPointer(floats(value)).assumingMemoryBound(to: Int32.self)
    }

    /// `value` as a tensor of its shape: a view of the arena, or the external tensor.
    func tensor(_ value: Int) -> Tensor {
        let root = graph.root(value)
        guard let offset = offsets[root] else {
            guard let tensor = externals[root] else { fatalError("compiled step: value \(value) read before it was set") }
            return tensor.shape == graph.values[value].shape ? tensor : tensor.reshape(graph.values[value].shape)
        }
        if let view = views[value] { return view }
        let view = Tensor(viewing: arena, floatOffset: offset, shape: graph.values[value].shape)
        views[value] = view
        return view
    }

    /// Sets the tensor behind an external value for this step.
    func setExternal(_ value: Int, _ tensor: Tensor) {
        precondition(graph.values[value].external, "compiled step: value \(value) is planned in the arena")
        externals[graph.root(value)] = tensor
    }

    /// Drops the external tensors (their memory goes back when the step ends).
    func clearExternals() {
        for i in externals.indices { externals[i] = nil }
    }
}
