import Foundation
import Testing
import LeptonData
import LeptonNN
import LeptonTensor
import LeptonTrain

@Suite struct SequentialTrainingTests {
    /// The reference CNN on 6,000 real MNIST digits for one epoch: a short run with a loose bound.
    @Test func referenceCNNLearnsMNIST() throws {
        GlobalRandom.seed(3)
        let mnist = try MNIST(directory: MNIST.defaultDirectory())
        let x = mnist.trainImages.slice(axis: 0, end: 6000).reshape([6000, 28, 28, 1])
        let y = mnist.trainLabels.slice(axis: 0, end: 6000)
        let model = Sequential([
            Rescaling(scale: 1.0 / 255),   // the files' pixel values 0–255 to 0–1, inside the model
            Conv2D(filters: 32, kernelSize: [3, 3], activation: .relu),
            MaxPooling2D(poolSize: [2, 2]),
            Flatten(),
            Dense(units: 128, activation: .relu),
            Dense(units: 10, activation: .softmax),
        ])
        model.shuffleSeed = 1
        try model.compile(optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"])
        var lines: [String] = []
        let progress = ProgressBar(verbosity: .progressBar, isTerminal: false) { lines.append($0) }
        let history = try model.fit(x: x, y: y, epochs: 1, batchSize: 32, validationSplit: 0.1,
                                    callbacks: [progress], verbose: .silent)
        let testX = mnist.testImages.slice(axis: 0, end: 2000).reshape([2000, 28, 28, 1])
        let logs = try model.evaluate(x: testX, y: mnist.testLabels.slice(axis: 0, end: 2000))
        #expect(logs["accuracy"]! > 0.85, "test accuracy \(logs["accuracy"]!)")
        #expect(history.history["val_accuracy"]!.count == 1)
        #expect(lines.first == "Epoch 1/1\n")
        let line = lines.last ?? ""
        #expect(line.hasPrefix("169/169 [==============================] - "), "\(line)")
        #expect(line.contains("/step - loss: ") && line.contains(" - accuracy: ") && line.contains(" - val_loss: "), "\(line)")
        let summary = model.summary(inputShape: [28, 28, 1])
        #expect(summary.contains("(None, 26, 26, 32)") && summary.contains("Total params: 693962"), "\(summary)")
    }

    @Test func uncompiledOrMismatchedDataThrowsClearErrors() throws {
        let model = Sequential([Dense(units: 1)])
        #expect(throws: TrainingError.self) { try model.fit(x: Tensor.zeros([4, 2]), y: Tensor.zeros([4, 1])) }
        try model.compile(optimizer: "sgd", loss: "mse")
        do {
            try model.fit(x: Tensor.zeros([4, 2]), y: Tensor.zeros([3, 1]), verbose: .silent)
            Issue.record("expected a TrainingError")
        } catch let error as TrainingError {
            #expect(error.description.contains("[4, 2]") && error.description.contains("[3, 1]"))
        }
        #expect(throws: TrainingError.self) { try LossFunction(named: "hinge_loss_typo") }
        #expect(throws: TrainingError.self) { try OptimizerSpec(named: "adamax_typo") }
        // Typos in string literals are errors from compile, listing the valid names; never a crash.
        let typo = Sequential([Dense(units: 1)])
        let optimizerError = #expect(throws: TrainingError.self) { try typo.compile(optimizer: "adamm", loss: "mse") }
        #expect(optimizerError?.description == "unknown optimizer 'adamm'; expected one of sgd, adam, adamw, rmsprop, adagrad")
        let lossError = #expect(throws: TrainingError.self) { try typo.compile(optimizer: "adam", loss: "msee") }
        #expect(lossError?.description.hasPrefix("unknown loss 'msee'; expected one of mse, mae") == true)
        #expect(throws: TrainingError.self) { try typo.compile(loss: "mse", metrics: ["accuracyy"]) }
        #expect(throws: TrainingError.self) { try model.compile(optimizer: "sgd", loss: "mse", metrics: ["acuracy"]) }
    }
}
