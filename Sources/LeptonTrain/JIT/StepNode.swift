import LeptonNN
import LeptonTensor

/// One node of a compiled step: a lowered layer (or an eager island) that runs on planned
/// memory, forward and — in a training step — backward.
protocol StepNode: AnyObject {
    /// A short description for ``CompiledStep/description`` (`"dense 784→256 +bias +relu"`).
    var label: String { get }
    /// The values the forward pass reads or writes.
    var forwardValues: [Int] { get }
    /// The values the backward pass reads or writes.
    var backwardValues: [Int] { get }
    /// Computes the node's output.
    func forward(_ run: StepRun)
    /// Computes the gradients of its parameters (into the tensors of ``parameterGradients``)
    /// and of its input (when the step needs it) from its output's gradient.
    func backward(_ run: StepRun)
    /// The gradient tensor each trainable parameter gets after ``backward(_:)`` (empty for
    /// nodes without parameters and for eager islands, whose parameters get theirs from autodiff).
    var parameterGradients: [(parameter: Tensor, gradient: Tensor)] { get }
}

extension StepNode {
    var parameterGradients: [(parameter: Tensor, gradient: Tensor)] { [] }
}

/// An activation a lowered node applies in place on its output, and whose gradient it applies in
/// place on its output's gradient, both read from the output alone: the identity, ReLU (y > 0
/// exactly where x > 0), sigmoid and tanh (derivatives of y), and softmax over the last axis.
/// Other activations keep their layer eager.
enum StepActivation: Equatable {
    case identity
    case unary(UnaryOp)
    case softmax

    init?(_ function: ActivationFunction) {
        switch function {
        case .linear: self = .identity
        case .relu: self = .unary(.relu)
        case .sigmoid: self = .unary(.sigmoid)
        case .tanh: self = .unary(.tanh)
        case .softmax: self = .softmax
        default: return nil
        }
    }

    var name: String {
        switch self {
        case .identity: return ""
        case .unary(let op): return " +\(op)"
        case .softmax: return " +softmax"
        }
    }

    /// `y ← f(x)` over `count` elements in rows of `columns` (`x` may be `y`).
    func apply(_ backend: any Backend, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int, columns: Int) {
        switch self {
        case .identity: if x != UnsafePointer(y) { y.update(from: x, count: count) }
        case .unary(let op): backend.unary(op, x, y, count: count)
        case .softmax: backend.softmax(log: false, x, outer: count / columns, reduced: columns, inner: 1, y)
        }
    }

    /// The gradient through `f` of `dy`, into `dx` (which may be `dy` except for softmax), given
    /// the output `y`; returns where it is (`dy` for the identity).
    func gradient(_ backend: any Backend, y: UnsafePointer<Float>, dy: UnsafeMutablePointer<Float>,
                  dx: UnsafeMutablePointer<Float>, count: Int, columns: Int) -> UnsafeMutablePointer<Float> {
        switch self {
        case .identity: return dy
        case .unary(let op):
            backend.unaryBackward(op, x: y, y: y, dy: dy, dx: dx, count: count)
            return dx
        case .softmax:
            backend.softmaxBackward(log: false, y: y, dy: dy, outer: count / columns, reduced: columns, inner: 1, dx: dx)
            return dx
        }
    }

    /// Whether ``gradient(_:y:dy:dx:count:columns:)`` needs a `dx` apart from `dy`.
    var needsSeparateGradient: Bool { self == .softmax }
}

/// The gradient tensors a lowered node writes its parameters' gradients into: made once per
/// parameter and reused every step (made again when a layer's weights were replaced).
final class GradientSlots {
    private var tensors: [ObjectIdentifier: Tensor] = [:]
    /// The parameters written in the current backward pass, with their gradients.
    private(set) var written: [(parameter: Tensor, gradient: Tensor)] = []

    /// Starts a backward pass.
    func begin() { written = [] }

    /// The tensor to write `parameter`'s gradient into in this pass.
    func tensor(for parameter: Tensor) -> Tensor {
        let key = ObjectIdentifier(parameter)
        let tensor = tensors[key].flatMap { $0.shape == parameter.shape ? $0 : nil }
            ?? Tensor(uninitializedShape: parameter.shape, backend: parameter.backend)
        tensors[key] = tensor
        written.append((parameter, tensor))
        return tensor
    }
}
