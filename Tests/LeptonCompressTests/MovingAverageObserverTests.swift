import LeptonCompress
import LeptonTensor
import Testing

/// `MovingAverageObserver` (QAT/MovingAverageObserver.swift): the first batch sets the range, later
/// ones move it by the averaging constant (PyTorch's `MovingAverageMinMaxObserver`), non-finite
/// values are ignored, and a frozen observer keeps its range.
@Suite struct MovingAverageObserverTests {
    @Test func averagesAndFreezes() throws {
        let observer = MovingAverageObserver()
        #expect(observer.quantization == nil)
        observer.observe(Tensor([-1, 0.5, 1], shape: [3]))
        #expect(observer.minimum == -1 && observer.maximum == 1)
        observer.observe(Tensor([-3, .nan, 5, .infinity], shape: [4]))
        #expect(abs(observer.minimum! - -1.02) < 1e-6 && abs(observer.maximum! - 1.04) < 1e-6)
        #expect(observer.quantization == ActivationQuantization(minimum: observer.minimum!, maximum: observer.maximum!))
        observer.freeze()
        observer.observe(Tensor([-100, 100], shape: [2]))
        #expect(observer.isFrozen && abs(observer.minimum! - -1.02) < 1e-6 && abs(observer.maximum! - 1.04) < 1e-6)
    }

    @Test func averagingConstantOneFollowsTheLastBatch() {
        let observer = MovingAverageObserver(averagingConstant: 1)
        observer.observe(Tensor([-1, 1], shape: [2]))
        observer.observe(Tensor([0.5, 2], shape: [2]))
        #expect(observer.minimum == 0.5 && observer.maximum == 2)
    }
}
