terraform {
  required_version = ">= 1.8"
  required_providers {
    coreweave = {
      source = "cwfed/coreweave"
    }
  }
}
