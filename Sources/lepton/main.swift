print("lepton")
