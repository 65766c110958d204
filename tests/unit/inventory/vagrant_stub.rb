# A FAKE of Vagrant's configuration API (Vagrant is not installed on the test machine):
# it loads vagrant/Vagrantfile, records every setting and prints them as JSON, so tests can
# check that the Vagrantfile turns fleet.yml into the machines and providers we expect.
require "json"

class Recorder
  attr_reader :data

  def initialize
    @data = {}
  end

  def method_missing(name, *args, **kwargs, &block)
    key = name.to_s
    if key.end_with?("=")
      @data[key.chomp("=")] = args.first
      return args.first
    end
    case key
    when "vm", "ssh"
      return (@data[key] ||= Recorder.new)
    when "define"
      child = Recorder.new
      block.call(child)
      (@data["machines"] ||= {})[args.first] = child
    when "provider"
      child = Recorder.new
      block.call(child)
      (@data["providers"] ||= {})[args.first.to_s] = child
    else
      (@data["calls"] ||= []) << { "name" => key, "args" => args.map(&:to_s), "opts" => kwargs.transform_keys(&:to_s) }
    end
    nil
  end

  def respond_to_missing?(*) = true

  def to_h
    @data.transform_values { |v| deep(v) }
  end

  private

  def deep(value)
    case value
    when Recorder then value.to_h
    when Hash then value.transform_values { |v| deep(v) }
    when Array then value.map { |v| deep(v) }
    else value
    end
  end
end

module Vagrant
  def self.configure(version)
    raise "unexpected config version #{version}" unless version == "2"
    $config = Recorder.new
    yield $config
  end
end

load ARGV.fetch(0)
puts JSON.generate($config.to_h)
