import Foundation
import LeptonJobs
import LeptonNN
import LeptonTensor
import LeptonTune
import Testing

/// `SearchSpace`: building, validation with clear errors, conditional parameters, YAML.
@Suite struct SearchSpaceTests {
    static func space() throws -> SearchSpace {
        try SearchSpace { hp in
            hp.float("lr", 1e-4, 1e-1, log: true)
            hp.int("units", 32, 512, step: 32)
            hp.choice("optimizer", ["adam", "sgd"])
            hp.float("momentum", 0, 0.99, when: "optimizer", is: ["sgd"])
        }
    }

    @Test func samplesStayInTheirRangesAndConditionsHold() throws {
        let space = try Self.space()
        var rng = RandomGenerator(seed: 7)
        var sawMomentum = false, sawAdam = false
        for _ in 0..<200 {
            let p = space.sample(using: &rng)
            let lr = try #require(p["lr"]?.number), units = try #require(p["units"]?.number)
            #expect(lr >= 1e-4 && lr <= 1e-1)
            #expect(units >= 32 && units <= 512 && Int(units) % 32 == 0)
            if p["optimizer"] == "sgd" {
                let momentum = try #require(p["momentum"]?.number)
                #expect(momentum >= 0 && momentum <= 0.99)
                sawMomentum = true
            } else {
                #expect(p["momentum"] == nil, "momentum exists only for sgd: \(p)")
                sawAdam = true
            }
        }
        #expect(sawMomentum && sawAdam)
    }

    @Test func logScaleSpreadsOverDecades() throws {
        let space = try SearchSpace { hp in hp.float("lr", 1e-5, 1e-1, log: true) }
        var rng = RandomGenerator(seed: 1)
        let below1e3 = (0..<1000).filter { _ in space.sample(using: &rng)["lr"]!.number! < 1e-3 }.count
        #expect(below1e3 > 400 && below1e3 < 600, "half the decades lie below 1e-3: \(below1e3)")
    }

    @Test func inconsistentSpacesAreRefusedWithTheirReason() {
        let cases: [((SearchSpaceBuilder) -> Void, String)] = [
            ({ _ in }, "the search space is empty"),
            ({ $0.float("lr", 0.1, 0.1) }, "lr: expected low < high, got low 0.1, high 0.1"),
            ({ $0.float("lr", 0.5, 0.1) }, "lr: expected low < high"),
            ({ $0.float("lr", 0, 1, log: true) }, "lr: a log-scaled range needs low > 0, got low 0.0"),
            ({ $0.int("units", 0, 10, log: true) }, "units: a log-scaled range needs low > 0"),
            ({ $0.int("units", 1, 10, step: 4) }, "units: high - low (9) is not a multiple of step 4"),
            ({ $0.int("units", 1, 10, step: 0) }, "units: expected a step ≥ 1"),
            ({ $0.choice("opt", []) }, "opt: expected at least one choice"),
            ({ $0.choice("opt", ["a", "a"]) }, "opt: choice \"a\" is listed twice"),
            ({ $0.float("x", 0, 1); $0.float("x", 0, 2) }, "x: the parameter is defined twice"),
            ({ $0.float("m", 0, 1, when: "opt", is: ["sgd"]) }, "m: its condition names \"opt\", which is not a parameter defined before it"),
            ({ $0.float("opt", 0, 1); $0.float("m", 0, 1, when: "opt", is: [1]) }, "m: its condition's parameter \"opt\" must be a choice"),
            ({ $0.choice("opt", ["adam"]); $0.float("m", 0, 1, when: "opt", is: ["sgd"]) }, "m: its condition's value \"sgd\" is not one of opt's choices"),
        ]
        for (build, message) in cases {
            #expect(throws: TuneError.self) { try SearchSpace(build) }
            do { _ = try SearchSpace(build) } catch {
                #expect("\(error)".contains(message), "\(error) should contain \(message)")
            }
        }
    }

    @Test func yamlSectionReadsEveryKindAndOrdersConditionsAfterTheirChoice() throws {
        let yaml = try YAMLDocument.parse("""
        zeta.momentum: {type: float, low: 0.0, high: 0.9, when: {optimizer.name: [sgd]}}
        optimizer.name: {type: choice, values: [adam, sgd]}
        optimizer.learning_rate: {type: float, low: 1.0e-4, high: 1.0e-1, log: true}
        model.layers[1].units: {type: int, low: 16, high: 64, step: 16}
        """)
        let space = try SearchSpace(yaml: yaml)
        #expect(space.parameters.map(\.name) == ["model.layers[1].units", "optimizer.learning_rate", "optimizer.name", "zeta.momentum"])
        #expect(space["model.layers[1].units"]?.distribution == .int(low: 16, high: 64, step: 16, log: false))
        #expect(space["zeta.momentum"]?.condition == Parameter.Condition(parent: "optimizer.name", values: ["sgd"]))
        for (text, message) in [("x: {type: real, low: 0, high: 1}", "search.x.type: expected float, int or choice, got \"real\""),
                                ("x: {type: float, low: 1}", "search.x: a float needs low and high"),
                                ("x: {type: float, low: 0, high: 1, lg: true}", "lg"),
                                ("x: {type: choice, values: []}", "expected at least one choice"),
                                ("x: {type: float, low: 0, high: 1, when: {y: [a]}}", "its condition names \"y\"")] {
            do {
                _ = try SearchSpace(yaml: try YAMLDocument.parse(text))
                Issue.record("\(text) was accepted")
            } catch {
                #expect("\(error)".contains(message), "\(text): \(error)")
            }
        }
    }

    @Test func keyPathsReadAndReplaceValuesAndNameWhatIsMissing() throws {
        let config = try YAMLDocument.parse("optimizer: {name: adam, learning_rate: 0.001}\nmodel: {layers: [{type: Flatten}, {type: Dense, units: 8}]}\n")
        let units = try ConfigKeyPath("model.layers[1].units")
        #expect(try units.value(in: config) == 8)
        let replaced = try units.replacing(in: config, with: 64)
        #expect(try units.value(in: replaced) == 64)
        #expect(try ConfigKeyPath("optimizer.learning_rate").value(in: replaced) == 0.001)
        for (path, message) in [("model.layers[5].units", "model.layers has 2 entries, so there is no [5]"),
                                ("optimizer.momentum", "the config has no optimizer.momentum"),
                                ("batch_size", "the config has no batch_size"),
                                ("model.layers.units", "model.layers is"),
                                ("model..units", "has an empty part"),
                                ("model.layers[x]", "malformed index")] {
            do {
                _ = try ConfigKeyPath(path).value(in: config)
                Issue.record("\(path) was found")
            } catch {
                #expect("\(error)".contains(message), "\(path): \(error)")
            }
        }
    }
}
